// Language-neutral instruction vectors: `hex bytes | GAS source line`, checked against our
// assembler and against GNU as. All lines assemble alone at VECTOR_ORIGIN with VECTOR_SYMBOLS.
import { readFileSync } from 'node:fs';

export const VECTOR_ORIGIN = -0x7f000000; // 0xffffffff81000000
export const VECTOR_SYMBOLS: Readonly<Record<string, number>> = {
  ext_fn: -0x7effe000, // 0xffffffff81002000
  rsp_scratch: 0x1008,
  cpu_tss: 0x2000,
};

export interface Vector {
  readonly hex: string;
  readonly source: string;
  /** 1-based line in the vector file. */
  readonly line: number;
}

export function readVectors(path: string): Vector[] {
  const out: Vector[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '' || text.startsWith('#')) return;
      const bar = text.indexOf(' | ');
      if (bar < 0) throw new Error(`${path}:${i + 1}: expected 'hex | source'`);
      out.push({ hex: text.slice(0, bar).replace(/\s+/g, ''), source: text.slice(bar + 3), line: i + 1 });
    });
  return out;
}

/** All vectors as one program, each line after a `case_N:` label (lines are self-contained). */
export function vectorProgram(vectors: readonly Vector[]): string {
  return `${vectors.map((v, i) => `case_${i}:\n${v.source}\n`).join('')}case_end:\n`;
}

/** Slices a program's `.text` into the bytes of each case, using the `case_N` symbol addresses. */
export function sliceCases(
  text: Uint8Array,
  symbols: ReadonlyMap<string, number>,
  count: number,
  origin: number,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const a = symbols.get(`case_${i}`);
    const b = symbols.get(i + 1 < count ? `case_${i + 1}` : 'case_end');
    if (a === undefined || b === undefined) throw new Error(`missing case label ${i}`);
    out.push(text.slice(a - origin, b - origin));
  }
  return out;
}
