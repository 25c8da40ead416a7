import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, runCli } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'legosim-bad-'));

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** One clear `legosim:` line and exit 125: no stack trace. */
function expectCleanError(r: { status: number; stderr: string; stdout: string }, pattern: RegExp): void {
  expect(r.status).toBe(125);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^legosim: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
}

describe('legosim run refuses what it cannot run', () => {
  test('a text file', async () => expectCleanError(await runCli(['run', file('notes.txt', 'just text\n')]), /not an ELF file/));
  test('a missing file', async () => expectCleanError(await runCli(['run', join(dir, 'nope')]), /cannot read .*no such file/));
  test('an empty file', async () => expectCleanError(await runCli(['run', file('empty', '')]), /not an ELF file/));
  test('a 32-bit ELF', async () => {
    const elf = new Uint8Array(64);
    elf.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    expectCleanError(await runCli(['run', file('elf32', elf)]), /not a 64-bit ELF/);
  });
  test.skipIf(!hasCompiler('glibc'))('a truncated executable', async () => {
    const whole = readFileSync(buildProbe('hello', 'glibc'));
    expectCleanError(await runCli(['run', file('cut', whole.subarray(0, 200))]), /outside the file|program headers/);
  });
  test('a dynamically linked program', async () => expectCleanError(await runCli(['run', '/bin/true']), /dynamically linked|PT_INTERP/));
  test('an unknown option', async () => expectCleanError(await runCli(['run', '--frobnicate', '/bin/true']), /unknown option --frobnicate/));
  test('an unknown command', async () => expectCleanError(await runCli(['fly']), /unknown command 'fly'/));
  test('a bad --memory', async () => expectCleanError(await runCli(['run', '--memory', 'lots', '/bin/true']), /--memory/));
});
