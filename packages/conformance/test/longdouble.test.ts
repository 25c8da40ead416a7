import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { expectSameLines, runNative } from './native.js';

// x87 80-bit arithmetic, conversions, the four rounding modes, sqrtl/rintl/lrintl/fmodl and
// long double printf (%La, %Lf, %Le, %Lg): the host CPU is the oracle.
describe.each(['musl', 'glibc'] as Libc[])('long double probe (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('matches the host CPU line for line', async () => {
    const prog = buildProbe('longdouble', libc, ['-lm']);
    const native = runNative(prog);
    const lego = await runCli(['run', prog]);
    expect(lego.status).toBe(native.status);
    expectSameLines(native.stdout, lego.stdout);
  }, 120_000);
});
