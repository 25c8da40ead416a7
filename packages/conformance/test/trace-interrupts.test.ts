// Interrupts and exceptions in the trace: every APIC timer tick is an irq_entry/irq_exit pair
// and every #PF an exception event, each with the nesting depth, the stack pointer where the
// entry code saved pt_regs, and task_pt_regs(current) as the handler saw it. Taken in user mode,
// the frame is the outermost one: it lies exactly at task_pt_regs (no IRQ stack, no IST).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { buildProbe, hasCompiler, runCli } from '../src/index.js';
import { BUSYBOX } from './native.js';

const dir = mkdtempSync(join(tmpdir(), 'legosim-trace-irq-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Event = Record<string, unknown> & { type: string };

async function record(argv: string[]): Promise<{ events: Event[]; chrome: { traceEvents: Record<string, unknown>[] } }> {
  const file = join(dir, 'run.lgtrace');
  await runCli(['run', '--trace', file, ...argv]);
  const jsonl = await runCli(['trace', file, '--format', 'jsonl']);
  expect(jsonl.status).toBe(0);
  const chrome = await runCli(['trace', file, '--format', 'chrome']);
  expect(chrome.status).toBe(0);
  return { events: jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as Event), chrome: JSON.parse(chrome.stdout) };
}

test.skipIf(!hasCompiler('musl'))('timer ticks are irq_entry/irq_exit pairs at depth 1, framed at task_pt_regs, never inside a syscall', async () => {
  const prog = buildProbe('syscall-loop', 'musl');
  // 20,000 getppid calls take ~1 ms of simulated time: at 100 kHz, about a hundred ticks
  const { events, chrome } = await record(['--timer-hz', '100000', prog, '20000']);
  const ptRegs = new Set(events.filter((e) => e.type === 'syscall_entry').map((e) => e.pt_regs));
  expect(ptRegs.size).toBe(1);
  const taskPtRegs = [...ptRegs][0];

  const entries = events.filter((e) => e.type === 'irq_entry');
  const exits = events.filter((e) => e.type === 'irq_exit');
  expect(entries.length).toBeGreaterThan(50);
  expect(exits.length).toBe(entries.length);
  for (const e of entries) {
    expect(e).toMatchObject({ cpu: 0, pid: 1, tid: 1, vector: 0xef, depth: 1, sp: taskPtRegs, task_pt_regs: taskPtRegs });
  }
  // each entry is closed by the next irq_exit of the same vector and depth before anything else nests
  let open: Event | undefined;
  for (const e of events) {
    if (e.type === 'irq_entry') {
      expect(open).toBeUndefined();
      open = e;
    } else if (e.type === 'irq_exit') {
      expect(open).toBeDefined();
      expect(e).toMatchObject({ vector: open!.vector, depth: open!.depth });
      expect(e.ts as number).toBeGreaterThanOrEqual(open!.ts as number);
      open = undefined;
    }
  }
  // a tick never lands between a syscall's entry and exit: interrupts are off in the entry code
  // and the handlers run to completion
  let inSyscall = false;
  for (const e of events) {
    if (e.type === 'syscall_entry') inSyscall = true;
    else if (e.type === 'syscall_exit') inSyscall = false;
    else if (e.type === 'irq_entry') expect(inSyscall).toBe(false);
  }

  // Chrome export: ticks are complete slices on the CPU's track
  const irqSlices = chrome.traceEvents.filter((e) => e.cat === 'irq' && (e.ph === 'X' || e.ph === 'B'));
  expect(irqSlices.length).toBe(entries.length);
  expect(irqSlices[0]).toMatchObject({ name: 'irq 0xef' });
});

test.skipIf(!existsSync(BUSYBOX))('each demand-paging #PF is an exception event (vector 14, cr2, error code; depth 1 from user mode, 2 from a user copy) before its page_fault event', async () => {
  const { events } = await record([BUSYBOX, 'echo', 'hi']);
  const taskPtRegs = events.find((e) => e.type === 'syscall_entry')!.pt_regs;
  // every demand-paging #PF: an exception event, then do_page_fault's page_fault event for the same address
  const exceptions = events.filter((e) => e.type === 'exception');
  const faults = events.filter((e) => e.type === 'page_fault');
  expect(exceptions.length).toBeGreaterThan(0);
  expect(exceptions.length).toBe(faults.length);
  let fromUser = 0;
  for (const [i, x] of exceptions.entries()) {
    expect(x).toMatchObject({ vector: 14, task_pt_regs: taskPtRegs, cr2: faults[i]!.address });
    // the #PF error code (USER 4 | WRITE 2 | PROT 1 bits) is what do_page_fault saw
    const error = Number.parseInt(x.error_code as string, 16);
    expect(error).toBe(faults[i]!.error);
    if ((error & 4) !== 0) {
      // from user mode: the outermost frame, exactly at task_pt_regs
      expect(x).toMatchObject({ depth: 1, sp: taskPtRegs });
      fromUser++;
    } else {
      // from a syscall's user copy: one frame deeper, below the syscall's pt_regs
      expect(x.depth).toBe(2);
      expect(BigInt(x.sp as string)).toBeLessThan(BigInt(taskPtRegs as string));
    }
  }
  expect(fromUser).toBeGreaterThan(0);

});

test.skipIf(!hasCompiler('musl'))('an exception without an error code reports -1; #UD in user mode is vector 6', async () => {
  const prog = buildProbe('fault', 'musl');
  const { events } = await record([prog, 'ud2']);
  const ud = events.filter((e) => e.type === 'exception' && e.vector === 6);
  expect(ud).toHaveLength(1);
  expect(ud[0]).toMatchObject({ depth: 1, error_code: '0xffffffffffffffff' });
  const exit = events.find((e) => e.type === 'task_exit');
  expect(exit).toMatchObject({ signal: 4 });
});
