import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listElf } from '../src/format/index.js';
import { addressOf, BUILDS, HOST_BINARIES, have, KERNELS, knownDifferences, norm, objdumpLines, SOURCE } from './objdump-support/binaries.js';

/**
 * Differential test against GNU objdump: every instruction of real binaries — static,
 * dynamically linked and shared ones built here from C source, the host's busybox and
 * libc.so.6 — must have objdump's address, length and text (whitespace-normalised), except
 * the differences listed with reasons in objdump-differences.txt.
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
  let equal = 0;
  for (const l of od) {
    const a = addressOf(l);
    const x = mineByAddr.get(a);
    if (x !== undefined && norm(x) === norm(l)) equal++;
    else if (allowed.has(a)) continue;
    else if (x === undefined) diffs.push(`missing ${l}`);
    else diffs.push(`objdump: ${norm(l)}\n   ours: ${norm(x)}`);
  }
  // Same instruction boundaries: no address of ours that objdump does not have.
  for (const a of mineByAddr.keys()) if (!odAddrs.has(a) && !allowed.has(a)) diffs.push(`extra instruction at ${a}`);
  expect(diffs.slice(0, 50)).toEqual([]);
  // Listed differences stay rare: text agrees on at least 99.9% of objdump's lines.
  expect(equal / od.length).toBeGreaterThanOrEqual(0.999);
  expect(mine.length).toBeGreaterThan(50);
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

  for (const [name, file, what, usable] of HOST_BINARIES) {
    const ok = objdump && usable(file);
    it.skipIf(!ok)(`${name}: every instruction matches objdump -d${ok ? '' : ` (skipped: no ${what})`}`, () => {
      compare(name, file);
    }, 120_000);
  }
});
