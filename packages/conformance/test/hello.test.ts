import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test.skipIf(!hasCompiler('glibc'))('a static-pie hello world (ET_DYN, no interpreter) is loaded at ELF_ET_DYN_BASE and relocates itself', async () => {
  const prog = buildProbe('hello', 'glibc', ['-static-pie']);
  const native = runNative(prog, ['pie']);
  const trace = join(mkdtempSync(join(tmpdir(), 'legosim-pie-')), 'pie.lgstrace');
  const lego = await runCli(['run', '--trace', trace, prog, 'pie']);
  expect(lego.stdout).toBe(native.stdout);
  expect(lego.status).toBe(3);
  // its code runs at ELF_ET_DYN_BASE (0x555555554000) + offset: every syscall comes from there
  const events = (await runCli(['trace', trace])).stdout.trim().split('\n').map((l) => JSON.parse(l));
  const ips = events.filter((e) => e.type === 'syscall_entry').map((e) => BigInt(e.regs.ip));
  expect(ips.length).toBeGreaterThan(10);
  for (const ip of ips) expect(ip >= 0x555555554000n && ip < 0x555555554000n + 0x1000000n).toBe(true);
});
