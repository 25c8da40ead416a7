import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { expectSameLines, runNative } from './native.js';

// The host CPU is the oracle: add/sub/adc/sbb/logic/inc/dec/neg/imul/mul/div/shifts/rotates
// and bit scans over edge values at every width, with RFLAGS read back through pushf.
describe.each(['musl', 'glibc'] as Libc[])('arithmetic flags probe (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('matches the host CPU line for line', async () => {
    const prog = buildProbe('flags', libc);
    const native = runNative(prog);
    const lego = await runCli(['run', prog]);
    expect(lego.status).toBe(native.status);
    expectSameLines(native.stdout, lego.stdout);
  }, 120_000);
});
