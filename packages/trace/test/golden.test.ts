// Golden files: every released format version stays readable. The files were written by this
// package's writer at that version; regenerate the current version's files only on purpose
// (UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts) and never touch older versions' files.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeTrace, readTrace, toJsonl } from '../src/index.ts';
import { emitSample } from './sample.ts';

const dir = new URL('./golden/', import.meta.url);
const HEADER = {
  producer: 'legosim golden',
  program: 'sample',
  argv: ['sample'],
  seed: 42,
  machine: { cpus: 1 },
};

if (process.env.UPDATE_GOLDEN) {
  const bytes = encodeTrace(emitSample, { header: HEADER });
  writeFileSync(new URL('v1.0.lgstrace', dir), bytes);
  writeFileSync(
    new URL('v1.0.jsonl', dir),
    readTrace(bytes)
      .events.map((e) => `${toJsonl(e)}\n`)
      .join(''),
  );
}

describe('golden trace files', () => {
  it('reads format 1.0 to the recorded jsonl', () => {
    const bytes = new Uint8Array(readFileSync(new URL('v1.0.lgstrace', dir)));
    const trace = readTrace(bytes);
    expect(trace.version).toEqual({ major: 1, minor: 0 });
    expect(trace.header).toEqual(HEADER);
    const jsonl = trace.events.map((e) => `${toJsonl(e)}\n`).join('');
    expect(jsonl).toBe(readFileSync(new URL('v1.0.jsonl', dir), 'utf8'));
  });

  it('still writes format 1.0 byte for byte', () => {
    const expected = new Uint8Array(readFileSync(new URL('v1.0.lgstrace', dir)));
    expect(encodeTrace(emitSample, { header: HEADER })).toEqual(expected);
  });
});

describe('FORMAT.md', () => {
  it("matches the worked example's bytes", () => {
    const bytes = encodeTrace((w) => w.taskNew(0, 0, 1, 1, undefined, 'init'));
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
    expect(hex).toBe(
      '4c 47 53 54 52 41 43 45 01 00 00 00 02 00 00 00 7b 7d 01 04 69 6e 69 74 18 06 00 00 01 01 00 00 02 01 01',
    );
    const doc = readFileSync(new URL('../FORMAT.md', import.meta.url), 'utf8');
    const lines = doc.slice(doc.indexOf('## Worked example')).split('\n');
    const documented = lines
      .filter((l) => /^ *[0-9a-f]{2}( [0-9a-f]{2})* {2,}/.test(l))
      .map((l) => l.trim().split(/ {2,}/)[0])
      .join(' ');
    expect(documented).toBe(hex);
  });
});
