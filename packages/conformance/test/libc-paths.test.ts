// The code paths libcs and compilers generate, native vs legosim with both libcs: the
// hand-optimised string functions across alignments and lengths (strings.c), and
// setjmp/longjmp, deep recursion, jump tables, varargs, qsort and vsnprintf (control.c).
// The host CPU is the oracle: stdout and the exit status must be identical.
import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { expectSameLines, runNative } from './native.js';

const PROBES = [
  ['strings', 0],
  ['control', 7],
] as const;

describe.each(['musl', 'glibc'] as Libc[])('libc code paths (%s)', (libc) => {
  for (const [name, status] of PROBES) {
    test.skipIf(!hasCompiler(libc))(`${name}.c prints what it prints natively`, async () => {
      const prog = buildProbe(name, libc);
      const native = runNative(prog);
      expect(native.status).toBe(status);
      const lego = await runCli(['run', prog]);
      expect(lego.stderr).toBe('');
      expect(lego.status).toBe(native.status);
      expectSameLines(native.stdout, lego.stdout);
    }, 120_000);
  }
});
