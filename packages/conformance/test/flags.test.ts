import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { runNative } from './native.js';

// The host CPU is the oracle: add/sub/adc/sbb/logic/inc/dec/neg/imul/mul/div/shifts/rotates
// and bit scans over edge values at every width, with RFLAGS read back through pushf.
describe.each(['musl', 'glibc'] as Libc[])('arithmetic flags probe (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('matches the host CPU line for line', async () => {
    const prog = buildProbe('flags', libc);
    const native = runNative(prog);
    const lego = await runCli(['run', prog]);
    expect(lego.status).toBe(native.status);
    const a = native.stdout.split('\n');
    const b = lego.stdout.split('\n');
    expect(b.length).toBe(a.length);
    const firstDiff = a.findIndex((line, i) => line !== b[i]);
    expect(firstDiff === -1 ? 'identical' : `line ${firstDiff}: native ${a[firstDiff]} / legosim ${b[firstDiff]}`).toBe('identical');
  }, 120_000);
});
