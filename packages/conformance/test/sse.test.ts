import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { expectSameLines, runNative } from './native.js';

// Every SSE/SSE2 instruction form (and the MMX forms of the packed integer ones), register and
// memory sources, over edge and seeded random inputs; the floating-point ones under all four
// MXCSR rounding modes and with FTZ/DAZ (gcc -ffast-math's setting). The host CPU is the
// oracle, bit for bit: NaN propagation and the QNaN indefinite, MIN/MAX and CMP with NaNs
// and signed zeros, the integer indefinite of out-of-range conversions, saturation. RCPPS/RSQRTPS are only checked against the SDM's
// error bound (their tables are implementation-specific) and exactly on special inputs.
describe.each(['musl', 'glibc'] as Libc[])('SSE/SSE2 instruction probe (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('matches the host CPU line for line', async () => {
    const prog = buildProbe('sse', libc);
    const native = runNative(prog);
    const lego = await runCli(['run', prog]);
    expect(lego.status).toBe(native.status);
    expectSameLines(native.stdout, lego.stdout);
    expect(native.stdout.split('\n').at(-2)).toMatch(/^\d{3} instruction forms$/);
  }, 600_000);
});
