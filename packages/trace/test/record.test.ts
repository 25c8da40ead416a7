// The record-level reader: every field kind through its accessors, presence, the object form,
// and the streaming helper.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TraceEvent, TraceRecord } from '../src/index.ts';
import {
  EVENT_SCHEMA,
  MemorySink,
  PT_REGS_FIELDS,
  TeeSink,
  TraceReader,
  encodeTrace,
  fieldIndex,
  forEachTraceRecord,
  readTrace,
  u64FromText,
} from '../src/index.ts';
import { LONG_BYTES, PT_REGS_ADDR, SYSCALL_BYTES, emitSampleV11 } from './sample.ts';

const bytes = encodeTrace(emitSampleV11, { header: { program: 'sample' } });
const events = readTrace(bytes).events;

/** Every record of `data`, each turned into what the test needs before the next one is read. */
function eachRecord<T>(data: Uint8Array, take: (r: TraceRecord) => T): T[] {
  const reader = new TraceReader();
  reader.feed(data);
  const out: T[] = [];
  for (let r = reader.nextRecord(); r; r = reader.nextRecord()) out.push(take(r));
  reader.end();
  return out;
}

describe('TraceReader.nextRecord', () => {
  it('hands out one reused record whose toEvent() is what next() returns', () => {
    const reader = new TraceReader();
    reader.feed(bytes);
    const first = reader.nextRecord();
    const second = reader.nextRecord();
    expect(second).toBe(first);
    expect(eachRecord(bytes, (r) => r.toEvent())).toEqual(events);
  });

  it('gives every field of every event through value(), by index and by name', () => {
    let n = 0;
    eachRecord(bytes, (r) => {
      const event = events[n++]!;
      const object = event as unknown as Record<string, unknown>;
      expect(r.def).toBe(EVENT_SCHEMA.find((d) => d.name === r.type));
      expect(r.id).toBe(r.def.id);
      r.def.fields.forEach((f, i) => {
        expect(r.index(f.name)).toBe(i);
        expect(r.value(i), `${r.type}.${f.name}`).toEqual(object[f.name]);
        expect(r.value(f.name)).toEqual(object[f.name]);
        expect(r.has(f.name)).toBe(object[f.name] !== undefined);
      });
    });
  });

  it('reads each kind in its typed form', () => {
    const seen = eachRecord(bytes, (r) => {
      switch (r.type) {
        case 'syscall_entry':
          return {
            type: r.type,
            nr: r.number('nr'),
            name: r.string('name'),
            args: r.length('args'),
            arg0: [r.elementHi('args', 0), r.elementLo('args', 0)],
            arg1: r.element('args', 1),
            ptRegs: r.u64('pt_regs'),
            ip: r.element('regs', 16),
            regs: r.length('regs'),
            words: Array.from(r.words('regs').subarray(32, 34)),
            irqs: r.bool('irqs_enabled'),
            strace: r.has('strace') ? r.string('strace') : undefined,
          };
        case 'syscall_exit':
          return { type: r.type, ret: [r.hi('ret'), r.lo('ret')], hex: r.hex('ret'), u64: r.u64('ret') };
        case 'instruction':
          return {
            type: r.type,
            bytes: Array.from(r.bytes('bytes')),
            first: r.byteAt('bytes', 0),
            length: r.length('bytes'),
            cpl: r.number('cpl'),
            gsBase: r.hex('gs_base'),
          };
        case 'task_exit':
          return { type: r.type, code: r.number('code') };
        case 'task_new':
          return { type: r.type, parent: r.has('parent_tid') ? r.number('parent_tid') : undefined };
        default:
          return { type: r.type };
      }
    });
    const entries = seen.filter((s) => s.type === 'syscall_entry');
    expect(entries[0]).toEqual({
      type: 'syscall_entry',
      nr: 1,
      name: 'write',
      args: 6,
      arg0: [0, 1],
      arg1: 0x402000,
      ptRegs: PT_REGS_ADDR,
      ip: 0x401010,
      regs: 21,
      words: [0x401010, 0],
      irqs: true,
      strace: undefined,
    });
    expect(entries.find((e) => e.name === 'read')).toMatchObject({
      arg0: [0xffffffff, 0xffffffff],
      arg1: 0x123456789abcdef0n,
    });
    expect(entries.at(-1)).toMatchObject({ name: 'exit_group', strace: 'exit_group(0) = ?' });
    const exits = seen.filter((s) => s.type === 'syscall_exit');
    expect(exits[1]).toEqual({
      type: 'syscall_exit',
      ret: [0xffffffff, 0xffffffda],
      hex: '0xffffffffffffffda',
      u64: -38,
    });
    expect(exits.map((e) => e.u64)).toContain(0x8000000000000000n);
    const insns = seen.filter((s) => s.type === 'instruction');
    expect(insns.map((i) => i.bytes)).toEqual([
      Array.from(SYSCALL_BYTES),
      [0x0f, 0x01, 0xf8],
      Array.from(LONG_BYTES),
    ]);
    expect(insns[2]).toMatchObject({ first: 0x26, length: 15, cpl: 3 });
    expect(insns[1]).toMatchObject({ cpl: 0, gsBase: '0xffff88003fc00000' });
    expect(seen.filter((s) => s.type === 'task_exit')).toEqual([
      { type: 'task_exit', code: -1 },
      { type: 'task_exit', code: 0 },
    ]);
    expect(seen.filter((s) => s.type === 'task_new').map((t) => t.parent)).toEqual([undefined, 1]);
  });

  it('finds field indexes from the schema', () => {
    expect(fieldIndex('syscall_exit', 'ret')).toBe(4);
    expect(() => fieldIndex('syscall_exit', 'nope')).toThrow(/no field "nope"/);
    eachRecord(bytes, (r) => expect(() => r.number('nope')).toThrow(RangeError));
  });

  it('reads a 1.0 file: the fields 1.1 appended are absent', () => {
    const v10 = new Uint8Array(readFileSync(new URL('./golden/v1.0.lgstrace', import.meta.url)));
    const strace = eachRecord(v10, (r) =>
      r.type === 'syscall_entry' || r.type === 'syscall_exit' ? [r.has('strace'), r.value('strace')] : null,
    ).filter((x) => x !== null);
    expect(strace.length).toBeGreaterThan(0);
    for (const s of strace) expect(s).toEqual([false, undefined]);
  });

  it('gives pt_regs objects the keys of struct pt_regs in order, from the record and from a sink alike', () => {
    const memory = new MemorySink();
    emitSampleV11(memory);
    const entries = [...events, ...memory.events].filter((e) => e.type === 'syscall_entry');
    expect(entries.length).toBeGreaterThan(1);
    for (const e of entries) expect(Object.keys(e.regs)).toEqual([...PT_REGS_FIELDS]);
  });

  it('formats every 64-bit value exactly, however the values repeat or collide in its hex memo', () => {
    // 3,000 entries: registers keep, repeat from far back or take new random values, so the
    // direct-mapped memo both hits and has different values land in the same slot
    let seed = 0x5eed;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const pool = Array.from({ length: 4096 }, () => random());
    const memory = new MemorySink();
    const traced = encodeTrace((w) => {
      const tee = new TeeSink(w, memory);
      const regs = new Uint32Array(42);
      const args = new Uint32Array(12);
      for (let i = 0; i < 3000; i++) {
        for (let k = 0; k < 42; k++) {
          const pick = random() % 3;
          if (pick === 1) regs[k] = pool[random() % pool.length]!;
          else if (pick === 2) regs[k] = random();
        }
        for (let k = 0; k < 12; k++) args[k] = regs[k]!;
        tee.syscallEntry(i, 0, 1, 1, i % 400, 'x', args, pool[i % 7]!, pool[i % 5]!, regs, true);
      }
    });
    expect(readTrace(traced).events).toStrictEqual(memory.events);
  });

  it('keeps u64 values exact through the record', () => {
    const one = encodeTrace((w) => w.counter(5, 0, 'instructions', u64FromText('0xffffffffffffffff')));
    expect(eachRecord(one, (r) => [r.hi('value'), r.lo('value'), r.hex('value'), r.u64('value')])).toEqual([
      [0xffffffff, 0xffffffff, '0xffffffffffffffff', -1],
    ]);
  });
});

describe('forEachTraceRecord', () => {
  it('visits the same events for any chunking and reports the header first', async () => {
    for (const size of [1, 3, 64, 1 << 20]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
      const seen: TraceEvent[] = [];
      const order: string[] = [];
      const result = await forEachTraceRecord(
        (async function* () {
          yield* chunks;
        })(),
        (r) => {
          order.push('event');
          seen.push(r.toEvent());
        },
        { onHeader: (h) => order.push(`header ${h.program}`) },
      );
      expect(seen, `chunk size ${size}`).toEqual(events);
      expect(order[0]).toBe('header sample');
      expect(result).toEqual({
        version: { major: 1, minor: 1 },
        header: { program: 'sample' },
        events: events.length,
        skippedRecords: 0,
      });
    }
  });

  it('throws the reader errors, truncation included', async () => {
    await expect(forEachTraceRecord([bytes.subarray(0, 90)], () => {})).rejects.toThrow(
      /file is truncated: it ends at byte 90/,
    );
  });
});
