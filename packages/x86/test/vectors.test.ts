import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_COUNT, DecodeStatus, Decoder, Instruction, codeName } from '../src/index.js';
import { formatAtt } from '../src/format/index.js';

interface Vector { line: number; file: string; bytes: Uint8Array; text: string; code: string | undefined }

function load(file: string): Vector[] {
  const text = readFileSync(join(__dirname, 'vectors', file), 'utf8');
  const out: Vector[] = [];
  text.split('\n').forEach((raw, i) => {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) return;
    const [hex, att, code] = l.split('|').map((s) => s.trim());
    out.push({
      line: i + 1, file,
      bytes: Uint8Array.from((hex ?? '').split(/\s+/).map((x) => Number.parseInt(x, 16))),
      text: att ?? '', code: code === '' ? undefined : code,
    });
  });
  return out;
}

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

describe('test vectors (bytes | objdump text | Code)', () => {
  const vectors = [...load('rows.txt'), ...load('extra.txt')];

  it('decode to the recorded length, Code and objdump text', () => {
    const dec = new Decoder();
    const ins = new Instruction();
    const failures: string[] = [];
    for (const v of vectors) {
      const st = dec.decode(v.bytes, 0, v.bytes.length, 0, ins);
      const where = `${v.file}:${v.line}`;
      if (st !== DecodeStatus.Ok) { failures.push(`${where}: status ${st}`); continue; }
      const got = norm(formatAtt(ins));
      if (ins.length !== v.bytes.length) failures.push(`${where}: length ${ins.length} != ${v.bytes.length}`);
      if (got !== norm(v.text)) failures.push(`${where}: '${got}' != '${v.text}'`);
      if (v.code !== undefined && codeName(ins.code) !== v.code) failures.push(`${where}: code ${codeName(ins.code)} != ${v.code}`);
    }
    expect(failures).toEqual([]);
  });

  it('cover every table row', () => {
    const dec = new Decoder();
    const ins = new Instruction();
    const seen = new Set<number>();
    for (const v of vectors) if (dec.decode(v.bytes, 0, v.bytes.length, 0, ins) === DecodeStatus.Ok) seen.add(ins.code);
    const missing: string[] = [];
    for (let c = 1; c < CODE_COUNT; c++) if (!seen.has(c)) missing.push(codeName(c));
    expect(missing).toEqual([]);
  });
});
