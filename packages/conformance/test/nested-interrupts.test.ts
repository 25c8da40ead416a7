// Nested interrupts on one kernel stack (lego-facts: no IRQ stack, no IST). nested.c writes
// from pages it never touched: in write(2), copy_from_user's `rep movsb` takes a #PF in kernel
// mode (depth 2, below the syscall's pt_regs); do_page_fault turns interrupts back on, as Lego
// does when the interrupted context had them, and zeroes the new page with clear_page_orig,
// during which the APIC timer fires (depth 3, below the #PF frame). Every handler sees the same
// task_pt_regs, each frame lies below the previous one, and the program's registers come back
// intact (the probe checks its callee-saved registers and prints the count).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachTraceRecord } from '@legosim/trace';
import { nodeIo } from 'legosim';
import { afterAll, describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { runNative } from './native.js';

const dir = mkdtempSync(join(tmpdir(), 'legosim-nested-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Event = Record<string, unknown> & { type: string; ts: number };
const addr = (hex: unknown): bigint => BigInt(hex as string);
const readChunks = (file: string) => nodeIo.readChunks(file, 1 << 20);

describe.each(['musl', 'glibc'] as Libc[])('syscall → page fault → timer interrupt (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('depth reaches 3 on the task kernel stack, every frame sees the syscall pt_regs, the program is unharmed', async () => {
    const prog = buildProbe('nested', libc);
    const native = runNative(prog, ['16']);
    expect(native.stdout).toBe(
      'wrote 65536 bytes from 16 untouched pages; 64 of 64 callee-saved registers kept; 0 non-zero bytes\n' +
        'write from 0x10000: Bad address; 4 of 4 callee-saved registers kept\n',
    );

    // a 2 MHz timer ticks every ~500 instructions: clear_page_orig takes ~700
    const file = join(dir, `nested-${libc}.lgtrace`);
    const run = await runCli(['run', '--timer-hz', '2000000', '--trace', file, prog, '16']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(native.stdout);
    expect(run.status).toBe(0);
    const jsonl = await runCli(['trace', file, '--format', 'jsonl']);
    const events = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);

    // the writes of 4096 bytes to fd 3 (/dev/null), each with what nests inside it
    const writes: { entry: Event; inside: Event[] }[] = [];
    let open: { entry: Event; inside: Event[] } | undefined;
    for (const e of events) {
      if (e.type === 'syscall_entry' && e.name === 'write' && (e.args as string[])[2] === '0x1000') {
        open = { entry: e, inside: [] };
        writes.push(open);
      } else if (e.type === 'syscall_exit' && open !== undefined) {
        expect(e.ret).toBe('0x1000');
        open = undefined;
      } else if (open !== undefined) open.inside.push(e);
    }
    expect(writes).toHaveLength(16);

    let deepest = 0;
    for (const { entry, inside } of writes) {
      const ptRegs = entry.pt_regs as string;
      const buffer = addr((entry.args as string[])[1]);
      // every write faults once, in the kernel, reading the untouched page (error code 0: not present, read, supervisor)
      const faults = inside.filter((e) => e.type === 'exception');
      expect(faults).toHaveLength(1);
      const pf = faults[0]!;
      expect(pf).toMatchObject({ vector: 14, error_code: '0x0', depth: 2, task_pt_regs: ptRegs });
      expect(addr(pf.cr2)).toBe(buffer);
      expect(addr(pf.sp)).toBeLessThan(addr(ptRegs));
      expect(inside.find((e) => e.type === 'page_fault')).toMatchObject({ address: pf.cr2, resolution: 'demand-zero' });
      // ticks inside the write: depth 3 while do_page_fault clears the page (below the #PF
      // frame), depth 2 while copy_from_user's rep movsb runs (below the syscall's pt_regs)
      for (const irq of inside.filter((e) => e.type === 'irq_entry')) {
        expect(irq).toMatchObject({ vector: 0xef, task_pt_regs: ptRegs });
        if (irq.depth === 3) {
          expect(irq.ts).toBeGreaterThan(pf.ts);
          expect(addr(irq.sp)).toBeLessThan(addr(pf.sp));
        } else {
          expect(irq.depth).toBe(2);
          expect(addr(irq.sp)).toBeLessThan(addr(ptRegs));
        }
        deepest = Math.max(deepest, irq.depth as number);
      }
    }
    expect(deepest).toBe(3);
    // interrupts nest inside handlers but never open a second syscall: depth counts frames, not calls
    expect(events.filter((e) => e.type === 'irq_entry').every((e) => (e.depth as number) <= 3)).toBe(true);
  });
});

test.skipIf(!hasCompiler('musl'))('a user copy from an address in no VMA fails with EFAULT through the exception-table fixup, not an oops', async () => {
  const prog = buildProbe('nested', 'musl');
  const file = join(dir, 'efault.lgtrace');
  const run = await runCli(['run', '--trace', file, prog, '1']);
  expect(run.stdout).toBe(runNative(prog, ['1']).stdout);
  expect(run.stdout).toMatch(/^write from 0x10000: Bad address; 4 of 4 callee-saved registers kept$/m);
  expect(run.status).toBe(0);
  const events = (await runCli(['trace', file, '--format', 'jsonl'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);
  const exit = events.findLast((e) => e.type === 'syscall_exit' && e.name === undefined && e.nr === 1);
  expect(exit).toMatchObject({ ret: '0xfffffffffffffff2' });
  // the kernel-mode #PF at 0x10000 (depth 2), found in no VMA
  expect(events.find((e) => e.type === 'exception' && e.cr2 === '0x10000')).toMatchObject({ vector: 14, depth: 2 });
  expect(events.find((e) => e.type === 'page_fault' && e.address === '0x10000')).toMatchObject({ resolution: 'no-vma' });
});

test.skipIf(!hasCompiler('musl'))('instruction by instruction at HZ=10000: ticks land inside syscall handlers (IF=1), never between entry_SYSCALL_64 and the sti in do_syscall_64 (IF=0)', async () => {
  const prog = buildProbe('nested', 'musl');
  const file = join(dir, 'nested-instructions.lgtrace');
  const run = await runCli(['run', '--timer-hz', '10000', '--trace', file, '--trace-instructions', prog, '64']);
  expect(run.stdout).toBe(runNative(prog, ['64']).stdout);
  const TIMER_STUB = '6810ffffff'; // apic_timer_interrupt: pushq $~0xef
  let inEntry = false; // from the swapgs after a user SYSCALL to the call of do_syscall_64
  let inSyscall = false; // from that swapgs back to user mode
  let previous = { cpl: 3, flags: 0, bytes: '' };
  let entryInstructions = 0;
  let ticksInHandlers = 0;
  let ticksInUser = 0;
  await forEachTraceRecord(readChunks(file), (r) => {
    if (r.type !== 'instruction') return;
    const bytes = Buffer.from(r.bytes('bytes')).toString('hex');
    const cpl = r.number('cpl');
    const flags = r.lo('flags');
    if (cpl === 0 && previous.cpl === 3 && previous.bytes === '0f05') {
      expect(bytes).toBe('0f01f8'); // swapgs, the first instruction of entry_SYSCALL_64
      inEntry = true;
      inSyscall = true;
    }
    if (bytes === TIMER_STUB) {
      // never inside the entry code, where IF is 0 (natives such as do_page_fault turn IF on
      // inside themselves, and their own event comes when they return, so the instruction
      // recorded just before a tick may be the `call` that entered one)
      expect(inEntry).toBe(false);
      if (inSyscall) ticksInHandlers++;
      else ticksInUser++;
    }
    if (inEntry) {
      entryInstructions++;
      expect(flags & 0x200).toBe(0); // SYSCALL cleared IF (SYSCALL_MASK); nothing sets it before do_syscall_64
      if (bytes.startsWith('e8')) inEntry = false; // call do_syscall_64, whose first act is local_irq_enable()
    }
    if (cpl === 3) inSyscall = false;
    previous = { cpl, flags, bytes };
  });
  expect(entryInstructions).toBeGreaterThan(64 * 20);
  // 64 writes from untouched pages: copy_from_user and do_page_fault run long enough for ticks to land in them
  expect(ticksInHandlers).toBeGreaterThan(0);
  expect(ticksInUser).toBeGreaterThan(0);
});
