import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { expectSameLines, runNative } from './native.js';

// double and float arithmetic in the four rounding modes (MXCSR.RC through fesetround: the
// sign of an exact zero sum, directed overflow to ±max, conversions to and from integers),
// fma, sqrt, and printf of floating-point values: the host CPU is the oracle.
describe.each(['musl', 'glibc'] as Libc[])('float probe (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('matches the host CPU line for line', async () => {
    const prog = buildProbe('float', libc, ['-lm']);
    const native = runNative(prog);
    const lego = await runCli(['run', prog]);
    expect(lego.status).toBe(native.status);
    expectSameLines(native.stdout, lego.stdout);
  }, 180_000);
});

/**
 * Runs the native oracle with glibc's ifunc selection limited to what the model's CPUID
 * reports (up to SSE4.2, no AVX/FMA). On this host glibc would otherwise pick its FMA variants of
 * exp and pow, which differ from the SSE2 variants in the last bit for some arguments
 * (seen: pow(0x1.634c4bc8c2853p-18, 1.37), exp(-0x1.ab2ef7a6f879cp+8)); with the same
 * variants the outputs are identical. musl has no ifuncs.
 */
function runNativeAsModeledCpu(prog: string, libc: Libc): ReturnType<typeof runNative> {
  if (libc !== 'glibc') return runNative(prog);
  const saved = process.env.GLIBC_TUNABLES;
  process.env.GLIBC_TUNABLES = 'glibc.cpu.hwcaps=-AVX2,-FMA,-FMA4,-AVX,-AVX512F';
  try {
    return runNative(prog);
  } finally {
    if (saved === undefined) delete process.env.GLIBC_TUNABLES;
    else process.env.GLIBC_TUNABLES = saved;
  }
}

// libm in double, float and long double over fixed and seeded random arguments, printed
// exactly. (logl appears only at the fixed arguments: the host's FYL2X is not
// correctly rounded, the model's is, and they differ by an ulp on some random arguments.)
describe.each(['musl', 'glibc'] as Libc[])('libm probe (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('matches the host CPU line for line', async () => {
    const prog = buildProbe('libm', libc, ['-lm']);
    const native = runNativeAsModeledCpu(prog, libc);
    const lego = await runCli(['run', prog]);
    expect(lego.status).toBe(native.status);
    expectSameLines(native.stdout, lego.stdout);
  }, 180_000);
});
