import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../src/index.ts';
import { TraceFormatError, TraceReader, encodeTrace, readTrace, toJsonl } from '../src/index.ts';
import { concat } from './bytes.ts';
import { emitSample, emitSampleV11 } from './sample.ts';

/** mulberry32: a small seeded generator, so a failure reproduces from its iteration number. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const int = (n: number) => Math.floor(random() * n);
  let out = bytes.slice();
  const edits = 1 + int(4);
  for (let e = 0; e < edits; e++) {
    const at = int(out.length + 1);
    switch (int(6)) {
      case 0: // flip one bit
        if (out.length) out[Math.min(at, out.length - 1)]! ^= 1 << int(8);
        break;
      case 1: // random byte
        if (out.length) out[Math.min(at, out.length - 1)] = int(256);
        break;
      case 2: // truncate
        out = out.slice(0, at);
        break;
      case 3: {
        // insert random bytes
        const ins = Uint8Array.from({ length: 1 + int(8) }, () => int(256));
        out = concat([out.subarray(0, at), ins, out.subarray(at)]);
        break;
      }
      case 4: // delete a range
        out = concat([out.subarray(0, at), out.subarray(at + 1 + int(8))]);
        break;
      case 5: // 0xff run (long varints)
        for (let i = 0; i < 1 + int(12) && at + i < out.length; i++) out[at + i] = 0xff;
        break;
    }
  }
  return out;
}

type Outcome = { events: TraceEvent[] } | { error: string };

/**
 * Fails unless two outcomes are deeply and strictly equal (a bigint is not a number, a
 * Uint8Array not an array). node's isDeepStrictEqual decides, because it is some 20 times
 * faster than vitest's matcher over 10,000 iterations; the matcher runs only to show a difference.
 */
function expectSame(actual: Outcome, expected: Outcome, label: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  expect(actual, label).toStrictEqual(expected);
  expect.fail(`${label}: the outcomes differ (isDeepStrictEqual)`);
}

/** Every event of an outcome must become a line of valid JSON. */
function expectJsonl(outcome: Outcome, label: string): void {
  if ('error' in outcome) return;
  for (const e of outcome.events) {
    try {
      JSON.parse(toJsonl(e));
    } catch (error) {
      expect.fail(`${label}: ${e.type} is not valid JSON Lines: ${error}`);
    }
  }
}

// Each test decodes 10,000 files several ways: 2-5 s alone, but many times that while turbo
// runs every package's tests at once on a small machine, so they get a bound of their own.
const FUZZ_TIMEOUT = 300_000;

function whole(bytes: Uint8Array): Outcome {
  try {
    return { events: readTrace(bytes).events };
  } catch (e) {
    if (e instanceof TraceFormatError) return { error: e.message };
    throw e;
  }
}

function chunked(bytes: Uint8Array, random: () => number): Outcome {
  const reader = new TraceReader();
  const events: TraceEvent[] = [];
  try {
    for (let at = 0; at < bytes.length; ) {
      const n = 1 + Math.floor(random() * 40);
      reader.feed(bytes.slice(at, at + n));
      at += n;
      for (let e = reader.next(); e; e = reader.next()) events.push(e);
    }
    reader.end();
    return { events };
  } catch (e) {
    if (e instanceof TraceFormatError) return { error: e.message };
    throw e;
  }
}

/** The record path, chunked: each record turned into its object form before the next is read. */
function recordsChunked(bytes: Uint8Array, random: () => number): Outcome {
  const reader = new TraceReader();
  const events: TraceEvent[] = [];
  try {
    for (let at = 0; at < bytes.length; ) {
      const n = 1 + Math.floor(random() * 40);
      reader.feed(bytes.slice(at, at + n));
      at += n;
      for (let r = reader.nextRecord(); r; r = reader.nextRecord()) {
        // touch every field through the typed accessors too: they must not throw
        r.def.fields.forEach((f, i) => {
          if (!r.has(i)) return;
          if (f.kind === 'u64[]' || f.kind === 'pt_regs') r.element(i, r.length(i) - 1);
          else if (f.kind === 'bytes') r.bytes(i);
          else if (f.kind === 'u64' || f.kind === 'i64') r.u64(i);
        });
        events.push(r.toEvent());
      }
    }
    reader.end();
    return { events };
  } catch (e) {
    if (e instanceof TraceFormatError) return { error: e.message };
    throw e;
  }
}

describe('reader fuzzing', () => {
  it(
    'turns 10,000 mutated files into events or a TraceFormatError, whole or chunked alike',
    () => {
      const base = encodeTrace(emitSample, { header: { program: 'fuzz', seed: 1 } });
      const random = rng(0x1e605);
      let errors = 0;
      for (let i = 0; i < 10_000; i++) {
        const bytes = mutate(base, random);
        const a = whole(bytes);
        expectSame(chunked(bytes, random), a, `iteration ${i}`);
        if ('error' in a) {
          errors++;
          if (!/^trace format error at byte \d+: /.test(a.error))
            expect(a.error, `iteration ${i}`).toMatch(/^trace format error at byte \d+: /);
        } else expectJsonl(a, `iteration ${i}`);
      }
      // Most mutations must be detected (length prefixes, the end record's count...).
      expect(errors).toBeGreaterThan(7500);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'gives the same events or the same error through the record path, on the 1.1 sample',
    () => {
      const base = encodeTrace(emitSampleV11, { header: { program: 'fuzz', seed: 2 } });
      const random = rng(0x11);
      let errors = 0;
      for (let i = 0; i < 10_000; i++) {
        const bytes = mutate(base, random);
        const a = whole(bytes);
        expectSame(recordsChunked(bytes, random), a, `iteration ${i}`);
        expectSame(chunked(bytes, random), a, `iteration ${i}`);
        if ('error' in a) errors++;
        else expectJsonl(a, `iteration ${i}`);
      }
      expect(errors).toBeGreaterThan(7500);
    },
    FUZZ_TIMEOUT,
  );

  it('never throws anything but TraceFormatError on random bytes after a valid preamble', () => {
    const base = encodeTrace(() => {});
    const random = rng(7);
    for (let i = 0; i < 500; i++) {
      const tail = Uint8Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256));
      const bytes = concat([base.subarray(0, base.length - 3), tail]);
      whole(bytes);
    }
  });
});
