import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { expectSameLines, runNative } from './native.js';

// SSE3, SSSE3 (xmm, and the MMX forms of PSHUFB/PALIGNR), SSE4.1 and the SSE4.2 pieces
// outside the string instructions (PCMPGTQ, CRC32), register and memory sources, over
// edge and seeded random inputs, floating-point ones (ADDSUB, HADD/HSUB, DPPS/DPPD, ROUNDxx
// with imm8[2] = MXCSR.RC) in all four rounding modes: the host CPU is the oracle, bit for bit.
describe.each(['musl', 'glibc'] as Libc[])('SSE3/SSSE3/SSE4 instruction probe (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('matches the host CPU line for line', async () => {
    const prog = buildProbe('sse4', libc);
    const native = runNative(prog);
    const lego = await runCli(['run', prog]);
    expect(lego.status).toBe(native.status);
    expectSameLines(native.stdout, lego.stdout);
    expect(native.stdout.split('\n').at(-2)).toMatch(/^\d+ instruction forms$/);
  }, 300_000);
});
