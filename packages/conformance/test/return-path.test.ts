import { readFileSync } from 'node:fs';
import { Kernel, PtRegs, type SyscallFn, type Task } from '@legosim/kernel';
import { MemorySink } from '@legosim/trace';
import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler } from '../src/index.js';
import { runNative } from './native.js';

const GETPID = 39;

function boot(prog: string, overrides: Map<number, SyscallFn>) {
  const out: string[] = [];
  const sink = new MemorySink();
  const kernel = new Kernel({
    host: { write: (_fd, d) => out.push(new TextDecoder().decode(d)), read: () => new Uint8Array(0) },
    trace: sink,
    overrides,
  });
  kernel.exec(readFileSync(prog), ['enosys'], [], '/enosys');
  const cpu = kernel.cpus[0]!;
  const paths: string[] = [];
  const hook = cpu.onReturnToUser!;
  cpu.onReturnToUser = (path) => {
    paths.push(path);
    hook(path);
  };
  return { kernel, out, sink, paths };
}

describe('return_from_SYSCALL_64: SYSRET or IRET by Lego\'s rules', () => {
  test.skipIf(!hasCompiler('musl'))('the first entry to user mode is an IRET (ret_from_fork); ordinary syscalls return with SYSRET', () => {
    const prog = buildProbe('enosys', 'musl');
    const { kernel, sink, paths } = boot(prog, new Map());
    kernel.run();
    expect(paths[0]).toBe('iret');
    const exits = sink.events.filter((e) => e.type === 'syscall_exit');
    expect(exits.length).toBe(paths.length - 1);
    expect(paths.slice(1).every((p) => p === 'sysret')).toBe(true);
  });

  const cases: [string, (k: Kernel, t: Task) => void][] = [
    ['the handler changes the saved cx', (k, t) => k.writeRegs(t, PtRegs.CX, k.readRegs(t, PtRegs.CX) + 2)],
    ['the handler sets RF in the saved flags', (k, t) => k.writeRegs(t, PtRegs.FLAGS, k.readRegs(t, PtRegs.FLAGS) | 0x10000)],
  ];
  test.skipIf(!hasCompiler('musl')).each(cases)('IRET when %s', (_what, tamper) => {
    const prog = buildProbe('enosys', 'musl');
    const { kernel, sink, out } = boot(
      prog,
      new Map([
        [
          GETPID,
          (k, t) => {
            tamper(k, t);
            return t.pid;
          },
        ],
      ]),
    );
    const result = kernel.run();
    const exits = sink.events.filter((e) => e.type === 'syscall_exit');
    for (const e of exits) {
      if (e.type !== 'syscall_exit') continue;
      expect(e.path, `syscall ${e.nr}`).toBe(e.nr === GETPID ? 'iret' : 'sysret');
    }
    // the user program cannot tell: IRET restores ip from pt_regs->ip
    expect(result.status).toBe(0);
    expect(out.join('')).toBe(runNative(prog).stdout);
  });
});
