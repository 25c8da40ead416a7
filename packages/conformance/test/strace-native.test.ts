// `legosim run --strace` against `strace -f` of the native run: the same syscalls, in the
// same order, with the same arguments and results, once what legitimately differs between a
// host process and the model is normalised (and each such difference is listed below with
// its reason).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildProbe, hasCommand, hasCompiler, type Libc, runCli } from '../src/index.js';
import { BUSYBOX } from './native.js';

const dir = mkdtempSync(join(tmpdir(), 'legosim-strace-native-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Differences between the native run and the model, each with the reason it is right. */
const DIFFERENCES: { native: RegExp; legosim: RegExp; reason: string }[] = [
  {
    native: /^rseq\((.*)\) = 0$/,
    legosim: /^rseq\((.*)\) = -1 ENOSYS \(Function not implemented\)$/,
    reason: 'Lego has no rseq (lego-facts.md); outside --lego-table-only the model returns -ENOSYS and libc carries on',
  },
];

/** What varies from run to run or between host and model, replaced by placeholders. */
function normalise(line: string): string {
  return (
    line
      .replace(/^\d+ +/, '') // strace -f's pid column
      .replace(/ {2,}= /, ' = ') // strace aligns results at column 40
      .replace(/0x[0-9a-f]{5,}/g, '0xADDR') // ASLR: heap, stack and load addresses
      .replace(/^(set_tid_address\(.*\)) = \d+$/, '$1 = PID') // the pid
      .replace(/^getrandom\("[^"]*"/, 'getrandom("RANDOM"') // seeded in the model, random natively
  );
}

function compare(native: string[], legosim: string[]): string[] {
  const problems: string[] = [];
  const n = Math.max(native.length, legosim.length);
  for (let i = 0; i < n; i++) {
    const a = native[i] ?? '(none)';
    const b = legosim[i] ?? '(none)';
    if (a === b) continue;
    const listed = DIFFERENCES.find((d) => {
      const ma = d.native.exec(a);
      const mb = d.legosim.exec(b);
      return ma !== null && mb !== null && ma.slice(1).join() === mb.slice(1).join();
    });
    if (!listed) problems.push(`line ${i}: native ${a} / legosim ${b}`);
  }
  return problems;
}

async function expectSameSyscalls(name: string, argv: string[]): Promise<void> {
  const out = join(dir, `${name}.strace`);
  // stdout through a pipe, as the model's standard streams look (S_IFIFO): spawnSync alone
  // would hand the program a socket
  const native = spawnSync('sh', ['-c', 'strace -f -o "$0" "$@" | cat', out, ...argv], { encoding: 'utf8' });
  expect(native.status).not.toBeNull();
  const nativeLines = readFileSync(out, 'utf8')
    .trimEnd()
    .split('\n')
    .filter((l) => !/^\d+ +execve\(/.test(l)) // the host's exec of the program: no counterpart in the model
    .map(normalise);
  const lego = await runCli(['run', '--strace', ...argv]);
  // the exit status is in strace's last line, `+++ exited with N +++`, compared below
  expect(nativeLines.at(-1)).toBe(`+++ exited with ${lego.status} +++`);
  const legoLines = lego.stderr.trimEnd().split('\n').map(normalise);
  expect(compare(nativeLines, legoLines)).toEqual([]);
  expect(legoLines.at(-1)).toMatch(/^\+\+\+ exited with \d+ \+\+\+$/);
}

describe.skipIf(!hasCommand('strace'))('--strace agrees with strace of the native run', () => {
  test.skipIf(!existsSync(BUSYBOX))('busybox echo hi', () => expectSameSyscalls('echo', [BUSYBOX, 'echo', 'hi']));
  for (const libc of ['musl', 'glibc'] as Libc[]) {
    test.skipIf(!hasCompiler(libc))(`hello (${libc})`, () => expectSameSyscalls(`hello-${libc}`, [buildProbe('hello', libc), 'x']));
  }
});
