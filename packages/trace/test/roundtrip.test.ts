import { describe, expect, it } from 'vitest';
import {
  BinaryTraceWriter,
  EVENT_SCHEMA,
  JsonlSink,
  MemorySink,
  TeeSink,
  encodeTrace,
  readTrace,
  readTraceStream,
  toJsonl,
} from '../src/index.ts';
import type { TraceEvent } from '../src/index.ts';
import { concat } from './bytes.ts';
import { PT_REGS_ADDR, SP0, WRITE_ARGS, WRITE_REGS, emitSample, emitSampleV11 } from './sample.ts';

function record(): { memory: MemorySink; bytes: Uint8Array; jsonl: string } {
  const memory = new MemorySink();
  let jsonl = '';
  const bytes = encodeTrace(
    (writer) => {
      const tee = new TeeSink(writer, memory, new JsonlSink((line) => (jsonl += line)));
      emitSampleV11(tee);
    },
    { header: { program: 'hello', seed: 42, machine: { cpus: 1 } } },
  );
  return { memory, bytes, jsonl };
}

describe('binary round trip', () => {
  it('covers every event type in the schema', () => {
    const { memory } = record();
    const seen = new Set(memory.events.map((e) => e.type));
    for (const def of EVENT_SCHEMA) expect(seen, def.name).toContain(def.name);
  });

  it('reads back exactly the events the producer emitted, header included', () => {
    const { memory, bytes } = record();
    const trace = readTrace(bytes);
    expect(trace.version).toEqual({ major: 1, minor: 1 });
    expect(trace.header).toEqual({ program: 'hello', seed: 42, machine: { cpus: 1 } });
    expect(trace.events).toEqual(memory.events);
    expect(trace.skippedRecords).toBe(0);
  });

  it('exports the decoded events to the same jsonl the JsonlSink wrote live', () => {
    const { bytes, jsonl } = record();
    const exported = readTrace(bytes)
      .events.map((e) => `${toJsonl(e)}\n`)
      .join('');
    expect(exported).toBe(jsonl);
    for (const line of jsonl.trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('keeps full-width 64-bit values exact', () => {
    const { memory } = record();
    const exits = memory.events.filter((e) => e.type === 'syscall_exit').map((e) => e.ret);
    expect(exits).toContain('0x7fffffffffffffff');
    expect(exits).toContain('0x8000000000000000');
    expect(exits).toContain('0xffffffffffffffda');
    const read = memory.events.find((e) => e.type === 'syscall_entry' && e.name === 'read');
    expect(read?.type === 'syscall_entry' && read.args).toEqual([
      '0xffffffffffffffff',
      '0x123456789abcdef0',
      '0x8000000000000000',
      '0x20000000000000',
      '0xffffffffffffffff',
      '0x0',
    ]);
  });

  it('omits an absent optional field and keeps a present one', () => {
    const { memory } = record();
    const tasks = memory.events.filter((e) => e.type === 'task_new');
    expect(tasks[0]).not.toHaveProperty('parent_tid');
    expect(tasks[1]).toMatchObject({ parent_tid: 1, comm: 'child' });
  });

  it('streams: any chunking of the file gives the same events', async () => {
    const { bytes, memory } = record();
    for (const size of [1, 2, 3, 7, 16, 100, bytes.length]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
      const events: TraceEvent[] = [];
      let header: unknown;
      for await (const e of readTraceStream(chunks, { onHeader: (h) => (header = h) })) events.push(e);
      expect(events, `chunk size ${size}`).toEqual(memory.events);
      expect(header).toEqual({ program: 'hello', seed: 42, machine: { cpus: 1 } });
    }
  });

  it('hands the writer output out in bounded chunks', () => {
    const chunks: Uint8Array[] = [];
    const writer = new BinaryTraceWriter((c) => chunks.push(c), { chunkSize: 256 });
    for (let i = 0; i < 2000; i++) emitSample(writer);
    writer.close();
    expect(chunks.length).toBeGreaterThan(100);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(256 + 512);
    const joined = concat(chunks);
    // Time goes backwards between repetitions of the sample: signed deltas must carry that.
    expect(readTrace(joined).events).toHaveLength(2000 * 23);
  });

  it("lends its own buffer with chunks: 'view', and the bytes are the same as copies", () => {
    const write = (chunks: 'copy' | 'view'): { bytes: Uint8Array; buffers: Set<ArrayBufferLike> } => {
      const parts: Uint8Array[] = [];
      const buffers = new Set<ArrayBufferLike>();
      const writer = new BinaryTraceWriter(
        (c) => {
          buffers.add(c.buffer);
          parts.push(c.slice()); // a view is only valid during the call
        },
        { chunkSize: 256, chunks, header: { program: 'hello', seed: 1 } },
      );
      for (let i = 0; i < 500; i++) emitSample(writer);
      writer.close();
      return { bytes: concat(parts), buffers };
    };
    const copied = write('copy');
    const lent = write('view');
    // Buffer.equals, not toEqual: vitest compares a typed array element by element, which for
    // these 390 KB costs seconds on a loaded machine
    expect(lent.bytes.length).toBe(copied.bytes.length);
    expect(
      Buffer.from(lent.bytes.buffer, lent.bytes.byteOffset, lent.bytes.length).equals(copied.bytes),
    ).toBe(true);
    expect(readTrace(lent.bytes).events).toHaveLength(500 * 23);
    // every view shares the writer's one buffer; every copy has its own
    expect(lent.buffers.size).toBe(1);
    expect(copied.buffers.size).toBeGreaterThan(50);
  });

  it('keeps its chunks whole in encodeTrace even when asked for views', () => {
    const viaViews = encodeTrace((w) => emitSampleV11(w), { chunkSize: 256, chunks: 'view' });
    const viaCopies = encodeTrace((w) => emitSampleV11(w), { chunkSize: 256 });
    expect(viaViews).toEqual(viaCopies);
  });

  it('writes long and non-interned strings inline and stays readable past the intern cap', () => {
    const memory = new MemorySink();
    const bytes = encodeTrace(
      (w) => {
        const tee = new TeeSink(w, memory);
        for (let i = 0; i < 50; i++) tee.pageFault(i, 0, 1, 1, i * 4096, 4, `resolution-${i}`);
        tee.warn(100, 0, 1, 1, 'x'.repeat(100_000));
      },
      { maxInternedStrings: 10 },
    );
    expect(readTrace(bytes).events).toEqual(memory.events);
  });

  it('is deterministic: the same events give identical bytes', () => {
    expect(record().bytes).toEqual(record().bytes);
  });

  it('rejects events after close', () => {
    const writer = new BinaryTraceWriter(() => {});
    writer.close();
    expect(() => writer.warn(0, 0, 0, 0, 'late')).toThrow(/after close/);
  });
});

describe('size', () => {
  it('spends at most 24 bytes per event on average for a syscall loop', () => {
    // A program alternating write(1, buf, 14) and getpid() 1000 times, 150 ns per syscall.
    const regs = Uint32Array.from(WRITE_REGS);
    const args = Uint32Array.from(WRITE_ARGS);
    const empty = encodeTrace(() => {});
    const bytes = encodeTrace((w) => {
      for (let i = 0; i < 1000; i++) {
        const nr = i % 2 === 0 ? 1 : 39;
        const name = nr === 1 ? 'write' : 'getpid';
        regs[2 * 15] = nr; // orig_ax
        regs[2 * 19] = 0xfffde000 - (i % 3) * 16; // sp moves a little
        w.syscallEntry(300 * i, 0, 1, 1, nr, name, args, PT_REGS_ADDR, SP0, regs, true);
        w.syscallExit(300 * i + 150, 0, 1, 1, nr, nr === 1 ? 14 : 1, true, false, 'sysret');
      }
    });
    const perEvent = (bytes.length - empty.length) / 2000;
    expect(perEvent).toBeLessThanOrEqual(24);
  });
});
