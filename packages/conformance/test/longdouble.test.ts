import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { runNative } from './native.js';

// x87 80-bit arithmetic, conversions, the four rounding modes, sqrtl/rintl/lrintl/fmodl and
// long double printf (%La, %Lf, %Le, %Lg): the host CPU is the oracle.
describe.each(['musl', 'glibc'] as Libc[])('long double probe (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('matches the host CPU line for line', async () => {
    const prog = buildProbe('longdouble', libc, ['-lm']);
    const native = runNative(prog);
    const lego = await runCli(['run', prog]);
    expect(lego.status).toBe(native.status);
    const a = native.stdout.split('\n');
    const b = lego.stdout.split('\n');
    const firstDiff = a.findIndex((line, i) => line !== b[i]);
    expect(firstDiff === -1 ? 'identical' : `line ${firstDiff}: native ${a[firstDiff]} / legosim ${b[firstDiff]}`).toBe('identical');
    expect(b.length).toBe(a.length);
  }, 120_000);
});
