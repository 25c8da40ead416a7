import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listElf } from '../src/format/index.js';
import { addressOf, BUILDS, have, isStaticElf, KERNELS, knownDifferences, norm, objdumpLines, SOURCE } from './objdump-support/binaries.js';

/**
 * Differential test against GNU objdump: every instruction of real static binaries, built
 * here from C source, must have objdump's address, length and text (whitespace-normalised),
 * except the differences listed with reasons in objdump-differences.txt.
 */
const dir = mkdtempSync(join(tmpdir(), 'x86-objdump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'hello.c'), SOURCE);
writeFileSync(join(dir, 'kernels.c'), KERNELS);



function compare(name: string, file: string): void {
  const bytes = new Uint8Array(readFileSync(file));
  const mine = listElf(bytes);
  const od = objdumpLines(file);
  const allowed = knownDifferences('objdump-differences.txt').get(name) ?? new Set<string>();
  const mineByAddr = new Map(mine.map((l) => [addressOf(l), l]));
  const odAddrs = new Set(od.map((l) => addressOf(l)));
  const diffs: string[] = [];
  for (const l of od) {
    const a = addressOf(l);
    if (allowed.has(a)) continue;
    const x = mineByAddr.get(a);
    if (x === undefined) diffs.push(`missing ${l}`);
    else if (norm(x) !== norm(l)) diffs.push(`objdump: ${norm(l)}\n   ours: ${norm(x)}`);
  }
  // Same instruction boundaries: no address of ours that objdump does not have.
  for (const a of mineByAddr.keys()) if (!odAddrs.has(a) && !allowed.has(a)) diffs.push(`extra instruction at ${a}`);
  expect(diffs.slice(0, 50)).toEqual([]);
  expect(mine.length).toBeGreaterThan(1000);
}

describe('objdump differential', () => {
  const objdump = have('objdump');
  for (const [name, cc, flags, src] of BUILDS) {
    const ok = objdump && have(cc);
    it.skipIf(!ok)(`${name}: every instruction matches objdump -d${ok ? '' : ` (skipped: ${cc} or objdump missing)`}`, () => {
      const out = join(dir, name);
      execFileSync(cc, [...flags, '-o', out, join(dir, src), '-lm']);
      compare(name, out);
    }, 60_000);
  }

  // A large stripped static binary from the host, when there is one (Debian's busybox-static).
  const busybox = '/usr/bin/busybox';
  const hasBusybox = objdump && existsSync(busybox) && isStaticElf(busybox);
  it.skipIf(!hasBusybox)(`busybox: every instruction matches objdump -d${hasBusybox ? '' : ' (skipped: no static /usr/bin/busybox)'}`, () => {
    compare('busybox', busybox);
  }, 60_000);
});
