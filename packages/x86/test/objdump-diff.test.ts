import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listElf } from '../src/format/index.js';

/**
 * Differential test against GNU objdump: every instruction of real static binaries, built
 * here from C source, must have objdump's address, length and text (whitespace-normalised),
 * except the differences listed with reasons in objdump-differences.txt.
 */
const SOURCE = '#include <stdio.h>\nint main(int argc, char **argv) { printf("hello, %s! argc=%d\\n", "world", argc); return 3; }\n';

function have(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'x86-objdump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'hello.c'), SOURCE);

/** Known differences: lines `address | reason` (per binary section headers `[name]`). */
function knownDifferences(): Map<string, Set<string>> {
  const text = readFileSync(join(__dirname, 'objdump-differences.txt'), 'utf8');
  const out = new Map<string, Set<string>>();
  let current = '';
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) continue;
    const m = /^\[(.+)\]$/.exec(l);
    if (m) { current = m[1] ?? ''; out.set(current, new Set()); continue; }
    out.get(current)?.add((l.split('|')[0] ?? '').trim());
  }
  return out;
}

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

function compare(name: string, file: string): void {
  const bytes = new Uint8Array(readFileSync(file));
  const mine = listElf(bytes);
  const od = execFileSync('objdump', ['-d', '--no-show-raw-insn', '-w', file], { maxBuffer: 1 << 30 })
    .toString().split('\n').filter((l) => /^ +[0-9a-f]+:\t/.test(l));
  const allowed = knownDifferences().get(name) ?? new Set<string>();
  const mineByAddr = new Map(mine.map((l) => [(l.split(':')[0] ?? '').trim(), l]));
  const odAddrs = new Set(od.map((l) => (l.split(':')[0] ?? '').trim()));
  const diffs: string[] = [];
  for (const l of od) {
    const a = (l.split(':')[0] ?? '').trim();
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
  for (const [name, cc, flags] of [['hello-musl', 'musl-gcc', ['-static', '-O2']], ['hello-glibc', 'gcc', ['-static', '-O2']]] as const) {
    const ok = objdump && have(cc);
    it.skipIf(!ok)(`${name}: every instruction matches objdump -d${ok ? '' : ` (skipped: ${cc} or objdump missing)`}`, () => {
      const out = join(dir, name);
      execFileSync(cc, [...flags, '-o', out, join(dir, 'hello.c')]);
      compare(name, out);
    }, 60_000);
  }
});
