import { describe, expect, it } from 'vitest';
import { TraceFormatError, TraceReader, encodeTrace, readTrace, readTraceStream } from '../src/index.ts';
import { ByteEncoder } from '../src/varint.ts';
import { emitSample } from './sample.ts';

const sample = encodeTrace(emitSample, { header: { program: 'sample' } });
const headerEnd = 16 + new TextEncoder().encode(JSON.stringify({ program: 'sample' })).length;

function formatError(run: () => unknown): TraceFormatError {
  try {
    run();
  } catch (e) {
    if (e instanceof TraceFormatError) return e;
    throw e;
  }
  throw new Error('expected a TraceFormatError');
}

/** Preamble + header of a real trace followed by hand-made records. */
function withRecords(...records: number[][]): Uint8Array {
  const e = new ByteEncoder();
  e.raw(sample.subarray(0, headerEnd));
  for (const r of records) e.raw(Uint8Array.from(r));
  return e.bytes.slice(0, e.pos);
}

describe('reader errors', () => {
  it('refuses a file without the LGSTRACE magic', () => {
    const bytes = sample.slice();
    bytes.set(new TextEncoder().encode('\x7fELF'), 0);
    const err = formatError(() => readTrace(bytes));
    expect(err.problem).toBe('bad-magic');
    expect(err.offset).toBe(0);
    expect(err.message).toMatch(
      /^trace format error at byte 0: not a legosim trace: expected magic "LGSTRACE"/,
    );
    expect(err.message).toMatch(/found 7f$/);
    expect(formatError(() => readTrace(new TextEncoder().encode('{"type":'))).problem).toBe('bad-magic');
  });

  it('refuses a newer major version with both versions in the message', () => {
    const bytes = sample.slice();
    bytes[8] = 2;
    bytes[10] = 0;
    const err = formatError(() => readTrace(bytes));
    expect(err.problem).toBe('unsupported-version');
    expect(err.message).toContain('trace format version 2.0 is newer than this reader (1.x)');
    expect(err.offset).toBe(8);
  });

  it('reads a newer minor version', () => {
    const bytes = sample.slice();
    bytes[10] = 7;
    const trace = readTrace(bytes);
    expect(trace.version).toEqual({ major: 1, minor: 7 });
    expect(trace.events).toHaveLength(23);
  });

  it('names the offset where a truncated file ends, at every possible cut', () => {
    for (let cut = 0; cut < sample.length; cut++) {
      const err = formatError(() => readTrace(sample.subarray(0, cut)));
      expect(err.problem, `cut at ${cut}`).toBe('truncated');
      expect(err.offset).toBe(cut);
      expect(err.message).toContain(`file is truncated: it ends at byte ${cut}`);
    }
  });

  it('says which record a cut falls in', () => {
    const err = formatError(() => readTrace(sample.subarray(0, headerEnd + 3)));
    expect(err.message).toBe(
      `trace format error at byte ${headerEnd + 3}: file is truncated: it ends at byte ${headerEnd + 3}, inside the record that starts at byte ${headerEnd}`,
    );
  });

  it('accepts a trace cut at a record boundary only when asked to', () => {
    // task_new with an inline comm "sh", then the file stops: no end record.
    const cut = withRecords([24, 8, 0, 0, 1, 1, 0, 5, 0x73, 0x68]);
    expect(formatError(() => readTrace(cut)).message).toContain('without an end record');
    expect(readTrace(cut, { allowMissingEnd: true }).events).toEqual([
      { type: 'task_new', ts: 0, cpu: 0, pid: 1, tid: 1, comm: 'sh' },
    ]);
  });

  it('reports a reference to a string that was never defined', () => {
    const err = formatError(() => readTrace(withRecords([24, 6, 0, 0, 1, 1, 0, 0], [2, 1, 1])));
    expect(err.message).toContain('task_new.comm refers to undefined string 0');
    expect(err.offset).toBe(headerEnd + 7);
  });

  it('rejects a truncated stream too', async () => {
    const chunks = [sample.subarray(0, 40), sample.subarray(40, 90)];
    await expect(async () => {
      for await (const _ of readTraceStream(chunks));
    }).rejects.toThrow(/file is truncated: it ends at byte 90/);
  });

  it('skips records of unknown types (their length is known), or refuses them when strict', () => {
    const bytes = withRecords([99, 3, 1, 2, 3], [2, 1, 1]);
    const trace = readTrace(bytes);
    expect(trace.events).toEqual([]);
    expect(trace.skippedRecords).toBe(1);
    const err = formatError(() => readTrace(bytes, { strict: true }));
    expect(err.problem).toBe('unknown-record');
    expect(err.offset).toBe(headerEnd);
    expect(err.message).toContain('unknown record type 99 (3-byte payload)');
  });

  it('reports a varint that runs past 32 bits', () => {
    const err = formatError(() => readTrace(withRecords([16, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])));
    expect(err.problem).toBe('corrupt');
    expect(err.offset).toBe(headerEnd + 1);
    expect(err.message).toContain('varint for the record length does not fit in 32 bits');
  });

  it('reports a 64-bit varint longer than 10 bytes inside an event', () => {
    // tlb_flush: ts, cpu, reason (inline "x"), address = 11-byte varint.
    const payload = [0, 0, 3, 0x78, ...Array(10).fill(0xff), 0x01];
    const err = formatError(() => readTrace(withRecords([26, payload.length, ...payload], [2, 1, 1])));
    expect(err.problem).toBe('corrupt');
    expect(err.offset).toBe(headerEnd + 2 + 4);
    expect(err.message).toMatch(
      /varint for tlb_flush.address (does not fit in 64 bits|is longer than 10 bytes)/,
    );
  });

  it('reports a payload that ends inside a field', () => {
    const err = formatError(() => readTrace(withRecords([23, 2, 0, 0], [2, 1, 1])));
    expect(err.message).toContain('record payload ends inside context_switch.prev_tid');
    expect(err.offset).toBe(headerEnd + 4);
  });

  it('reports an end record whose count disagrees, and bytes after the end', () => {
    expect(formatError(() => readTrace(withRecords([2, 1, 5]))).message).toContain(
      'end record counts 5 events but the trace holds 0',
    );
    const err = formatError(() => readTrace(withRecords([2, 1, 0], [0])));
    expect(err.message).toContain('data follows the end record');
    expect(err.offset).toBe(headerEnd + 3);
  });

  it('refuses a record length beyond the limit instead of buffering it', () => {
    const err = formatError(() => readTrace(withRecords([16, 0xff, 0xff, 0xff, 0xff, 0x0f])));
    expect(err.message).toContain('exceeds the 16777216-byte limit');
  });

  it('refuses a header that is not a JSON object', () => {
    const bytes = sample.slice();
    bytes[16] = 0x5b; // '['
    expect(formatError(() => readTrace(bytes)).problem).toBe('bad-header');
  });

  it('fails early on bad magic in a stream, before 16 bytes arrived', () => {
    const reader = new TraceReader();
    reader.feed(Uint8Array.of(0x4c, 0x47, 0x58));
    expect(() => reader.next()).toThrow(/not a legosim trace/);
  });
});
