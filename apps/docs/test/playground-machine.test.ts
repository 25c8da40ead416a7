// The playground's machine code (what its Web Worker runs) in Node: the demo's output, the
// strace, the timeline, and the explain steps agreeing with `legosim explain` row for row.
import { existsSync, readFileSync } from 'node:fs';
import { staticElf } from 'legosim/browser';
import { describe, expect, it } from 'vitest';
import { BUNDLED, runProgram } from '../.vitepress/theme/playground/machine.ts';

describe('the playground machine', () => {
  it('runs the demo as legosim run does and explains its write', async () => {
    const demo = BUNDLED.find((p) => p.id === 'demo')!;
    const out = await runProgram({ name: 'demo', image: demo.build() });
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('Hello from user mode! This write enters Lego through entry_SYSCALL_64.\n');
    expect(out.strace).toContain('write(1, "Hello from user mode!');
    expect(out.strace).toContain('getpid()');
    expect(out.timeline?.bars.map((b) => b.name)).toEqual(['write', 'getpid', 'exit_group']);
    if ('error' in out.explain) throw new Error(out.explain.error);
    const { steps, ptRegsTable } = out.explain;
    expect(steps[0]!.instruction).toBe('syscall');
    expect(steps[0]!.effect).toBe('→ CPL 0, IF cleared by SYSCALL_MASK');
    expect(steps[1]!.instruction).toBe('swapgs');
    // the first push lands pt_regs->ss, the second pt_regs->sp
    const firstPush = steps.findIndex((s) => s.instruction.startsWith('push'));
    expect(steps[firstPush]!.stack.map((s) => [s.label, s.value])).toEqual([['pt_regs->ss (+160)', '0x2b']]);
    expect(steps[firstPush + 1]!.stack[1]).toMatchObject({
      label: 'pt_regs->sp (+152)',
      changed: true,
      live: true,
    });
    expect(steps.at(-1)!.after.cpl).toBe(3);
    const regs = Object.fromEntries(ptRegsTable.map((r) => [r.field, r.value]));
    expect(regs).toMatchObject({ cs: '0x33', ss: '0x2b', orig_ax: '0x1', ax: '0xffffffffffffffda' });
  });

  // Debian's busybox-static, which .ci/run installs for the conformance tests
  const busybox = '/bin/busybox';
  it.skipIf(!existsSync(busybox))('runs an uploaded static binary with its arguments', async () => {
    const out = await runProgram({
      name: 'busybox',
      image: readFileSync(busybox),
      args: ['echo', 'hello', 'page'],
    });
    expect(out.stdout).toBe('hello page\n');
    expect(out.status).toBe(0);
    if ('error' in out.explain) throw new Error(out.explain.error);
    expect(out.explain.steps.length).toBeGreaterThan(40);
  });

  it('reports a file that is not an ELF in one line', async () => {
    const out = await runProgram({ name: 'notes.txt', image: new TextEncoder().encode('not a program') });
    expect(out.status).toBe(125);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/^legosim: \/notes\.txt: /);
    expect('error' in out.explain).toBe(true);
  });

  it('stops a program at the instruction cap', async () => {
    // jmp . : a loop with no syscall at all
    const image = staticElf(new Uint8Array([0xeb, 0xfe]), 0x400000, 0x1000);
    const out = await runProgram({ name: 'spin', image, maxInstructions: 10_000 });
    expect(out.status).toBe(137);
    expect(out.stderr).toContain('--max-instructions');
  });
});
