// Golden files: every released format version stays readable. The files were written by this
// package's writer at that version; regenerate the current version's files only on purpose
// (UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts) and never touch older versions' files.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventDef } from '../src/index.ts';
import { EVENT_SCHEMA, TraceReader, encodeTrace, readTrace, toJsonl } from '../src/index.ts';
import { emitSampleV11 } from './sample.ts';

const dir = new URL('./golden/', import.meta.url);
const HEADER = {
  producer: 'legosim golden',
  program: 'sample',
  argv: ['sample'],
  seed: 42,
  machine: { cpus: 1 },
};

// The current version's files; v1.0.* were written by the 1.0 writer from the 1.0 sample.
if (process.env.UPDATE_GOLDEN) {
  const bytes = encodeTrace(emitSampleV11, { header: HEADER });
  writeFileSync(new URL('v1.1.lgstrace', dir), bytes);
  writeFileSync(
    new URL('v1.1.jsonl', dir),
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

  it('reads format 1.1 to the recorded jsonl', () => {
    const bytes = new Uint8Array(readFileSync(new URL('v1.1.lgstrace', dir)));
    const trace = readTrace(bytes);
    expect(trace.version).toEqual({ major: 1, minor: 1 });
    expect(trace.header).toEqual(HEADER);
    const jsonl = trace.events.map((e) => `${toJsonl(e)}\n`).join('');
    expect(jsonl).toBe(readFileSync(new URL('v1.1.jsonl', dir), 'utf8'));
  });

  it('still writes format 1.1 byte for byte', () => {
    const expected = new Uint8Array(readFileSync(new URL('v1.1.lgstrace', dir)));
    expect(encodeTrace(emitSampleV11, { header: HEADER })).toEqual(expected);
  });

  it('reads the record form of every golden file to the same events as the object form', () => {
    for (const name of ['v1.0.lgstrace', 'v1.1.lgstrace']) {
      const bytes = new Uint8Array(readFileSync(new URL(name, dir)));
      const reader = new TraceReader();
      reader.feed(bytes);
      const events = [];
      for (let r = reader.nextRecord(); r; r = reader.nextRecord()) events.push(r.toEvent());
      reader.end();
      expect(events, name).toEqual(readTrace(bytes).events);
    }
  });
});

/** "a u32, b string (x, y), c u8" → its fields: split at ", " outside parentheses. */
function splitFields(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (depth === 0 && text.startsWith(', ', i)) {
      out.push(text.slice(start, i));
      start = i + 2;
    }
  }
  out.push(text.slice(start));
  return out;
}

describe('FORMAT.md', () => {
  it("matches the worked example's bytes", () => {
    const bytes = encodeTrace((w) => w.taskNew(0, 0, 1, 1, undefined, 'init'));
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
    expect(hex).toBe(
      '4c 47 53 54 52 41 43 45 01 00 01 00 02 00 00 00 7b 7d 01 04 69 6e 69 74 18 06 00 00 01 01 00 00 02 01 01',
    );
    const doc = readFileSync(new URL('../FORMAT.md', import.meta.url), 'utf8');
    const lines = doc.slice(doc.indexOf('## Worked example')).split('\n');
    const documented = lines
      .filter((l) => /^ *[0-9a-f]{2}( [0-9a-f]{2})* {2,}/.test(l))
      .map((l) => l.trim().split(/ {2,}/)[0])
      .join(' ');
    expect(documented).toBe(hex);
  });

  it("lists exactly the schema's events and fields in its event table (the schema is the source)", () => {
    const doc = readFileSync(new URL('../FORMAT.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Event types'), doc.indexOf('## Worked example'));
    const rows = section.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(rows.map((r) => Number(r.split('|')[1]))).toEqual(EVENT_SCHEMA.map((e) => e.id));
    for (const [n, def] of (EVENT_SCHEMA as readonly EventDef[]).entries()) {
      const [id, type, fields] = rows[n]!.slice(2, -2).split(' | ');
      expect(Number(id), def.name).toBe(def.id);
      expect(type).toBe(def.since ? `\`${def.name}\` (${def.since})` : `\`${def.name}\``);
      const cells = splitFields(fields!);
      expect(
        cells.map((c) => c.split(' ').slice(0, 2).join(' ')),
        def.name,
      ).toEqual(def.fields.map((f) => `${f.name} ${f.kind}`));
      def.fields.forEach((f, i) => {
        const notes = /\((.*)\)$/.exec(cells[i]!)?.[1] ?? '';
        const what = `${def.name}.${f.name}`;
        expect(/\boptional\b/.test(notes), what).toBe(f.optional === true);
        expect(/\binterned\b/.test(notes), what).toBe(f.intern === true);
        expect(notes.split(/[,:] ?/).includes(f.since ?? 'none'), what).toBe(f.since !== undefined);
      });
    }
  });
});
