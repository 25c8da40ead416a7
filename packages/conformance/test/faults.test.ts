import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, runCli } from '../src/index.js';
import { runNative } from './native.js';

// Each fault ends the program with the signal the native run gets: the exit status is
// 128 + signal, and legosim names the fault in one line.
describe.skipIf(!hasCompiler('musl'))('faults become signals', () => {
  test.each([
    ['null', 139, /^legosim: segfault at 0x0 ip 0x[0-9a-f]+ sp 0x[0-9a-f]+ error 6 \(page not present, write, user\)$/m],
    ['kernel', 139, /^legosim: segfault at 0xffff880000000000 ip .* error 5 \(protection violation, read, user\)$/m],
    ['cli', 139, /^legosim: SIGSEGV: general protection at ip 0x[0-9a-f]+$/m],
    ['swapgs', 139, /^legosim: SIGSEGV: general protection at ip 0x[0-9a-f]+$/m],
    ['ud2', 132, /^legosim: SIGILL: invalid opcode at ip 0x[0-9a-f]+$/m],
    ['int3', 133, /^legosim: SIGTRAP: int3 at ip 0x[0-9a-f]+$/m],
    ['div0', 136, /^legosim: SIGFPE: divide error at ip 0x[0-9a-f]+$/m],
  ])('%s exits %i, as natively', async (what, status, reason) => {
    const prog = buildProbe('fault', 'musl');
    const native = runNative(prog, [what]);
    const lego = await runCli(['run', prog, what]);
    expect(native.status).toBe(status);
    expect(lego.status).toBe(status);
    expect(lego.stdout).toBe(native.stdout);
    expect(lego.stderr).toMatch(reason);
  });
});
