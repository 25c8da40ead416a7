import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { runNative } from './native.js';

describe.each(['musl', 'glibc'] as Libc[])('a printf hello world built with %s -static -O2', (libc) => {
  test.skipIf(!hasCompiler(libc))('prints what it prints natively and returns the same status', async () => {
    const prog = buildProbe('hello', libc);
    for (const args of [[], ['lego']]) {
      const native = runNative(prog, args);
      const lego = await runCli(['run', prog, ...args]);
      expect(lego.stdout).toBe(native.stdout);
      expect(lego.status).toBe(native.status);
      expect(native.status).toBe(3);
    }
  });
});
