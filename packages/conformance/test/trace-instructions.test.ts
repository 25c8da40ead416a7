// `legosim run --trace FILE --trace-instructions` records every retired instruction with its
// bytes and the state it left. From such a trace alone one can follow a syscall instruction by
// instruction: `syscall` at CPL 3, `swapgs` switching GS to the per-CPU area, the switch to the
// task's kernel stack (thread.sp0), the pushes that build pt_regs one 8-byte slot at a time,
// and the `call do_syscall_64` whose pt_regs address the syscall_entry event reports.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrace, type TraceEventOf } from '@legosim/trace';
import { afterAll, describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, runCli } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'legosim-trace-insn-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasCompiler('musl'))('instruction events (--trace-instructions)', () => {
  test('one event per retired instruction, and the entry path readable from them', async () => {
    const file = join(dir, 'hello.lgstrace');
    const prog = buildProbe('hello', 'musl');
    const run = await runCli(['run', '--trace', file, '--trace-instructions', '--stats', prog]);
    expect(run.status).toBe(3);
    const { events } = readTrace(readFileSync(file));
    const insns = events.filter((e) => e.type === 'instruction') as TraceEventOf<'instruction'>[];
    const counters = events.filter((e) => e.type === 'counter') as TraceEventOf<'counter'>[];
    const retired = counters.filter((c) => c.name === 'instructions').at(-1);
    expect(retired).toBeDefined();
    // every retired instruction, in order: an event's time is its start (1 instruction = 1 ns),
    // so consecutive events are 1 ns apart, except after a REP string instruction, whose
    // iterations the instruction count includes one by one (as callgrind counts them)
    for (const i of insns) expect(i.bytes).toMatch(/^([0-9a-f]{2}){1,15}$/);
    for (let k = 1; k < insns.length; k++) {
      const gap = insns[k]!.ts - insns[k - 1]!.ts;
      if (gap !== 1) expect(insns[k - 1]!.bytes, `gap of ${gap} ns after ${insns[k - 1]!.ip}`).toMatch(/^(66|67|4[0-9a-f])*f[23]/);
    }
    expect(insns[0]!.ts).toBe(0);
    expect(insns.at(-1)!.ts + 1).toBeLessThanOrEqual(Number(BigInt(retired!.value)));
    expect(insns.length).toBeGreaterThan(1000);

    const entry = events.find((e) => e.type === 'syscall_entry') as TraceEventOf<'syscall_entry'>;
    const at = events.indexOf(entry);
    // the last `syscall` (0f 05) at CPL 3 before the first syscall_entry event
    const window = events.slice(0, at).filter((e) => e.type === 'instruction') as TraceEventOf<'instruction'>[];
    const start = window.map((i) => i.bytes === '0f05' && i.cpl === 3).lastIndexOf(true);
    expect(start).toBeGreaterThan(0);
    const path = window.slice(start + 1);
    const user = window[start]!;
    // entry_SYSCALL_64's first instruction: swapgs (0f 01 f8) at CPL 0 switches GS base
    expect(path[0]!.bytes).toBe('0f01f8');
    expect(path[0]!.cpl).toBe(0);
    expect(path[0]!.gs_base).not.toBe(user.gs_base);
    // IF is clear from the SYSCALL (FMASK) on, until do_syscall_64 enables it
    for (const i of path) expect(BigInt(i.flags) & 0x200n).toBe(0n);
    // the stack switch: RSP becomes thread.sp0, then every push lowers it by one 8-byte slot
    const sp = path.map((i) => BigInt(i.sp));
    const sp0 = BigInt(entry.sp0);
    const switched = sp.indexOf(sp0);
    expect(switched).toBeGreaterThan(0);
    const ptRegs = BigInt(entry.pt_regs);
    expect(ptRegs).toBe(sp0 - 168n); // 21 slots of struct pt_regs
    const steps: bigint[] = [];
    for (let k = switched + 1; k < sp.length; k++) steps.push(sp[k - 1]! - sp[k]!);
    // 15 pushes (ss ... r11) and the call lower RSP by 8; `sub $(6*8), %rsp` makes room for
    // bp, bx, r12-r15; every other instruction leaves RSP alone
    expect(steps.filter((s) => s === 8n).length).toBe(16);
    expect(steps.filter((s) => s !== 0n && s !== 8n)).toEqual([48n]);
    expect(sp).toContain(sp0 - 8n); // pushq $__USER_DS lands in pt_regs->ss
    expect(sp).toContain(ptRegs); // the last push completes pt_regs
    // the last instruction before the event is `call do_syscall_64`, pushing its return address
    expect(path.at(-1)!.bytes.startsWith('e8')).toBe(true);
    expect(sp.at(-1)).toBe(ptRegs - 8n);
  });
});
