// The instruction vectors of asm-vectors.txt: our encoder against the bytes GNU as produced,
// and GNU as itself against the file (so the vectors stay true to the oracle).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Frontend } from '../src/asm/frontend.js';
import { assemble } from '../src/asm/index.js';
import { gasAssemble, gasAvailable, toHex } from './asm-support/gas.js';
import {
  readVectors,
  sliceCases,
  VECTOR_ORIGIN,
  VECTOR_SYMBOLS,
  vectorProgram,
} from './asm-support/vectors.js';

const VECTORS_PATH = fileURLToPath(new URL('./asm-vectors.txt', import.meta.url));
const ENTRY_64_PATH = fileURLToPath(new URL('../../kernel/src/arch/x86/entry/entry_64.S', import.meta.url));
const vectors = readVectors(VECTORS_PATH);
const program = vectorProgram(vectors);

describe('instruction vectors', () => {
  it('has a vector for each line', () => {
    expect(vectors.length).toBeGreaterThan(250);
  });

  it('encodes every vector to the bytes GNU as chose', () => {
    const r = assemble(program, { origin: VECTOR_ORIGIN, symbols: VECTOR_SYMBOLS });
    const got = sliceCases(r.bytes, r.symbols, vectors.length, VECTOR_ORIGIN);
    const wrong = vectors
      .map((v, i) => ({ v, got: toHex(got[i] as Uint8Array) }))
      .filter(({ v, got: g }) => g !== v.hex)
      .map(({ v, got: g }) => `line ${v.line}: ${v.source}: want ${v.hex}, got ${g}`);
    expect(wrong).toEqual([]);
  });

  it('encodes each vector the same when it is assembled alone (position-independent lines)', () => {
    const wrong: string[] = [];
    for (const v of vectors) {
      if (/ext_fn|\d[fb]\b/.test(v.source) && /\b(j[a-z]+|call|loop|jrcxz)\b/.test(v.source)) continue;
      if (/%rip/.test(v.source) && /ext_fn/.test(v.source)) continue;
      if (/\.(p2align|balign|align)\b/.test(v.source)) continue;
      const r = assemble(v.source, { origin: VECTOR_ORIGIN, symbols: VECTOR_SYMBOLS });
      if (toHex(r.bytes) !== v.hex)
        wrong.push(`line ${v.line}: ${v.source}: want ${v.hex}, got ${toHex(r.bytes)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('covers every mnemonic entry_64.S uses', () => {
    const fe = new Frontend().run(readFileSync(ENTRY_64_PATH, 'utf8'));
    const used = new Set<string>();
    for (const it of fe.items) if (it.k === 'insn') used.add(it.insn.mnemonic);
    const covered = new Set<string>();
    for (const v of vectors) {
      for (const stmt of v.source.split(';')) {
        const words = stmt
          .replace(/^\s*\w+:/, '')
          .trim()
          .split(/\s+/);
        for (const w of words.slice(0, 2)) covered.add(w.toLowerCase());
      }
    }
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((m) => !covered.has(m))).toEqual([]);
  });
});

/** `UPDATE_ASM_VECTORS=1 npx vitest run test/asm-vectors`: refill the bytes column from GNU as. */
function rewriteVectors(bytes: readonly Uint8Array[]): void {
  const lines = readFileSync(VECTORS_PATH, 'utf8').split('\n');
  vectors.forEach((v, i) => {
    const hex = toHex(bytes[i] as Uint8Array).replace(/(..)(?!$)/g, '$1 ');
    lines[v.line - 1] = `${hex} | ${v.source}`;
  });
  writeFileSync(VECTORS_PATH, lines.join('\n'));
}

describe.skipIf(!gasAvailable())('instruction vectors against GNU as', () => {
  it('GNU as + ld produce exactly the bytes in the vector file', () => {
    const g = gasAssemble(program, VECTOR_ORIGIN, VECTOR_SYMBOLS);
    const got = sliceCases(g.text, g.symbols, vectors.length, VECTOR_ORIGIN);
    if (process.env.UPDATE_ASM_VECTORS === '1') rewriteVectors(got);
    const wrong = vectors
      .map((v, i) => ({ v, got: toHex(got[i] as Uint8Array) }))
      .filter(({ v, got: x }) => x !== v.hex)
      .map(({ v, got: x }) => `line ${v.line}: ${v.source}: file has ${v.hex}, GNU as gives ${x}`);
    expect(wrong).toEqual([]);
  });
});
