// Every form of the shared instruction table the assembler accepts, in register and memory
// variants, encoded by us and by GNU as: the table drives both, so this is where a row's
// encoding and GAS's choice among equivalent encodings are pinned.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { gasAssemble, gasAssembleAt, gasAvailable, toHex } from './asm-support/gas.js';
import { tableLines } from './asm-support/table-lines.js';
import { sliceCases, vectorProgram } from './asm-support/vectors.js';

const ORIGIN = -0x7f000000;
const SYMBOLS = { ext_fn: -0x7effe000 };

/** Drops the sample lines GNU as rejects (names our generator guesses wrong), with their count. */
function acceptedByGas(lines: string[]): { kept: string[]; rejected: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'legosim-gas-'));
  try {
    let kept = lines;
    const rejected: string[] = [];
    for (let round = 0; round < 5; round++) {
      writeFileSync(join(dir, 'in.s'), kept.map((l) => `${l}\n`).join(''));
      let err = '';
      try {
        execFileSync('as', ['--64', '-o', join(dir, 'in.o'), join(dir, 'in.s')], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      } catch (e) {
        err = String((e as { stderr?: Buffer }).stderr ?? e);
      }
      const bad = new Set([...err.matchAll(/in\.s:(\d+): Error/g)].map((m) => Number(m[1]) - 1));
      if (bad.size === 0) break;
      rejected.push(...kept.filter((_, i) => bad.has(i)));
      kept = kept.filter((_, i) => !bad.has(i));
    }
    return { kept, rejected };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!gasAvailable())('every assemblable table form against GNU as', () => {
  it('encodes each sample line exactly as GNU as does', () => {
    const { kept, rejected } = acceptedByGas(tableLines());
    // the generator guesses some AT&T names wrong (movdl); the rest must be nearly everything
    expect(kept.length).toBeGreaterThan(2000);
    expect(rejected.length).toBeLessThan(kept.length / 20);
    const vectors = kept.map((source, line) => ({ hex: '', source, line }));
    const gas = gasAssemble(vectorProgram(vectors), ORIGIN, SYMBOLS);
    const want = sliceCases(gas.text, gas.symbols, vectors.length, ORIGIN);
    const wrong: string[] = [];
    kept.forEach((source, i) => {
      const at = gas.symbols.get(`case_${i}`) as number;
      let got: string;
      try {
        got = toHex(assemble(source, { origin: at, symbols: SYMBOLS }).bytes);
      } catch (e) {
        got = String(e);
      }
      const w = toHex(want[i] as Uint8Array);
      if (got !== w) wrong.push(`${source}: GNU as ${w}, ours ${got}`);
    });
    expect(wrong).toEqual([]);
  });
});

/** Rows the assembler cannot read back yet, with the reason (each must still be needed). */
const NOT_ASSEMBLED: readonly { pattern: RegExp; reason: string }[] = [];

// The other direction: the text objdump prints for one encoding of every row
// (test/vectors/rows.txt, `bytes | text | Code`), read back at address 0.
describe.skipIf(!gasAvailable())('the objdump text of every table-row vector', () => {
  it('assembles to the vector bytes, or to exactly what GNU as gives for that text', () => {
    const rows = readFileSync(join(import.meta.dirname, 'vectors', 'rows.txt'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => {
        const [bytes, text] = l.split(' | ') as [string, string];
        return { bytes: bytes.replace(/ /g, ''), text, address: 0 };
      });
    expect(rows.length).toBeGreaterThan(4000);
    const differ: { bytes: string; text: string; address: number; ours: string }[] = [];
    for (const r of rows) {
      let ours: string;
      try {
        ours = toHex(assemble(r.text, { origin: 0 }).bytes);
      } catch (e) {
        ours = (e as Error).message;
      }
      if (ours !== r.bytes) differ.push({ ...r, ours });
    }
    // GNU as at the same address (branch targets are absolute: `jo 0x14` is a rel32 to 0x14)
    const gas = gasAssembleAt(differ, 0);
    const used = new Set<RegExp>();
    const wrong: string[] = [];
    differ.forEach((d, i) => {
      const g = gas[i] as Uint8Array | string;
      const want = typeof g === 'string' ? g : toHex(g);
      if (want === d.ours) return;
      const known = NOT_ASSEMBLED.find((k) => k.pattern.test(d.text));
      if (known !== undefined) used.add(known.pattern);
      else wrong.push(`${d.text}: vector ${d.bytes}, GNU as ${want}, ours ${d.ours}`);
    });
    expect(wrong).toEqual([]);
    expect(NOT_ASSEMBLED.filter((k) => !used.has(k.pattern)).map((k) => k.reason)).toEqual([]);
  }, 60_000);
});
