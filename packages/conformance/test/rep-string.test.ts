// REP MOVS and REP STOS (repstring.c): every element size, both directions, page crossings,
// every overlap distance around the element size, faults part-way (the handler prints where
// RCX, RSI and RDI stopped) and code written by REP MOVSB then run. The CPU moves whole pages'
// worth of elements at once through the TLB when it can, and element by element otherwise;
// the host CPU is the oracle for both.
import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { expectSameLines, runNative } from './native.js';

describe.each(['musl', 'glibc'] as Libc[])('REP string instructions (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))(
    'repstring.c prints what it prints natively',
    async () => {
      const prog = buildProbe('repstring', libc);
      const native = runNative(prog);
      expect(native.status).toBe(0);
      expect(native.stdout).toContain('SIGSEGV with rcx');
      expect(native.stdout).toContain('code round 3: 2000');
      const lego = await runCli(['run', prog]);
      expect(lego.stderr).toBe('');
      expect(lego.status).toBe(native.status);
      expectSameLines(native.stdout, lego.stdout);
    },
    // 10 s alone; many times that while turbo runs every package's tests at once
    300_000,
  );
});
