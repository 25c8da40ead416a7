// Encodes events into the binary trace format (FORMAT.md) and streams it in chunks to a
// callback. Memory stays bounded: one output buffer of about `chunkSize` bytes, one scratch
// buffer for the record being encoded, and the interned-string table (capped).
import type { TraceHeader } from './format.js';
import { FORMAT_MAJOR, FORMAT_MINOR, MAGIC, RECORD_END, RECORD_STRING } from './format.js';
import { LAYOUTS } from './layout.js';
import type { EventDef } from './schema.js';
import { EVENTS_BY_NAME } from './schema.js';
import { DeltaState, MAX_DELTA_ARRAY } from './delta.js';
import { SchemaSink } from './sink.js';
import type { U64In, U64Words } from './types.js';
import { hiOf, loOf } from './u64.js';
import { encodeUtf8 } from './utf8.js';
import { ByteEncoder, utf8Length } from './varint.js';

// Imported values used per event are copied into module constants: a loader that compiles
// imports to property getters (tsx does) would otherwise make every use a call.
const DELTA_ARRAY = MAX_DELTA_ARRAY;
const hi32 = hiOf;
const lo32 = loOf;
const STRING_RECORD = RECORD_STRING;
const utf8 = encodeUtf8;

/** Delta-state slot of one 64-bit field (or the first of an array), for the fast paths. */
function slotOf(event: string, field: string): number {
  const layout = LAYOUTS[EVENTS_BY_NAME.get(event)!.id]!;
  return layout.base[layout.index.get(field)!]!;
}

const ENTRY = {
  id: EVENTS_BY_NAME.get('syscall_entry')!.id,
  args: slotOf('syscall_entry', 'args'),
  ptRegs: slotOf('syscall_entry', 'pt_regs'),
  sp0: slotOf('syscall_entry', 'sp0'),
  regs: slotOf('syscall_entry', 'regs'),
};
const EXIT = { id: EVENTS_BY_NAME.get('syscall_exit')!.id, ret: slotOf('syscall_exit', 'ret') };
const INSN = {
  id: EVENTS_BY_NAME.get('instruction')!.id,
  ip: slotOf('instruction', 'ip'),
  sp: slotOf('instruction', 'sp'),
  flags: slotOf('instruction', 'flags'),
  gsBase: slotOf('instruction', 'gs_base'),
};

/** Slots of the writer's interned-string cache (a power of two). */
const STRING_CACHE = 64;

const COUNTER = { id: EVENTS_BY_NAME.get('counter')!.id, value: slotOf('counter', 'value') };

export interface BinaryTraceWriterOptions {
  /** Run description stored as the JSON header. */
  header?: TraceHeader;
  /** A chunk is handed to the callback once this many bytes are buffered (default 64 KiB). */
  chunkSize?: number;
  /** At most this many distinct strings are interned; later ones are written inline (default 4096). */
  maxInternedStrings?: number;
}

export class BinaryTraceWriter extends SchemaSink {
  private readonly onChunk: (chunk: Uint8Array) => void;
  private readonly chunkSize: number;
  private readonly maxInterned: number;
  private readonly out: ByteEncoder;
  private readonly payload = new ByteEncoder(512);
  private readonly strings = new Map<string, number>();
  /** Recently used interned strings and their ids (see `string`). */
  private readonly cachedText: (string | undefined)[] = new Array<string | undefined>(STRING_CACHE);
  private readonly cachedId = new Uint32Array(STRING_CACHE);
  private readonly delta = new DeltaState();
  private lastTs = 0;
  private closed = false;
  /** Output position of the length byte of the event record being written (fast paths). */
  private lengthAt = 0;
  /** Events recorded so far. */
  eventCount = 0;
  /** Bytes handed to the callback so far. */
  bytesWritten = 0;

  constructor(onChunk: (chunk: Uint8Array) => void, options: BinaryTraceWriterOptions = {}) {
    super();
    this.onChunk = onChunk;
    this.chunkSize = Math.max(64, options.chunkSize ?? 65536);
    this.maxInterned = options.maxInternedStrings ?? 4096;
    this.out = new ByteEncoder(this.chunkSize + 1024);
    const header = utf8(JSON.stringify(options.header ?? {}));
    const out = this.out;
    out.raw(MAGIC);
    out.u8(FORMAT_MAJOR & 0xff);
    out.u8(FORMAT_MAJOR >>> 8);
    out.u8(FORMAT_MINOR & 0xff);
    out.u8(FORMAT_MINOR >>> 8);
    const n = header.length;
    out.u8(n & 0xff);
    out.u8((n >>> 8) & 0xff);
    out.u8((n >>> 16) & 0xff);
    out.u8(n >>> 24);
    out.raw(header);
  }

  /** The generic encoder, driven by the schema: every event type goes through here or a fast path. */
  record(event: EventDef, values: readonly unknown[]): void {
    const p = this.begin(values[0] as number);
    const fields = event.fields;
    const prev = this.delta.words(event.id);
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const value = values[i + 1];
      if (field.optional) {
        if (value === undefined) {
          p.u8(0);
          continue;
        }
        p.u8(1);
      }
      switch (field.kind) {
        case 'u8':
          p.u8((value as number) & 0xff);
          break;
        case 'u32':
          p.varU32(value as number);
          break;
        case 'i32':
          p.zigNumber((value as number) | 0);
          break;
        case 'bool':
          p.u8(value ? 1 : 0);
          break;
        case 'u64':
        case 'i64': {
          const v = value as U64In;
          p.zigDelta64(hi32(v), lo32(v), prev, DeltaState.base(event.id, i));
          break;
        }
        case 'string':
          this.string(value as string, field.intern === true);
          break;
        case 'bytes': {
          const bytes = value as Uint8Array;
          p.varU32(bytes.length);
          p.raw(bytes);
          break;
        }
        case 'u64[]': {
          const words = value as U64Words;
          const count = words.length >>> 1;
          p.varU32(count);
          const base = DeltaState.base(event.id, i);
          for (let k = 0; k < count; k++) {
            if (k < DELTA_ARRAY) p.zigDelta64(words[2 * k + 1]!, words[2 * k]!, prev, base + k);
            else p.zig64(words[2 * k + 1]!, words[2 * k]!);
          }
          break;
        }
        case 'pt_regs':
          // Bit mask of the fields that differ from the previous event's, then their deltas.
          this.ptRegs(p, value as U64Words, prev, DeltaState.base(event.id, i));
          break;
      }
    }
    this.finish(event.id);
  }

  // Hand-written encoders of the events a syscall-heavy (or instruction-traced) run records
  // most, and of the counter samples taken at every tick: the same bytes as `record` (a test
  // compares them on random events) without the `values` array SchemaSink's methods build or
  // the walk over the schema's field list. They encode straight into the output buffer; the
  // strings are resolved first, since a new string's definition must precede the event.

  /** Same as TraceSink.syscallEntry; writes what `record` would. */
  writeSyscallEntry(
    ts: number,
    cpu: number,
    pid: number,
    tid: number,
    nr: number,
    name: string,
    args: U64Words,
    ptRegs: U64In,
    sp0: U64In,
    regs: U64Words,
    irqsEnabled: boolean,
    strace?: string,
  ): void {
    const nameTag = this.tagOf(name, true);
    const straceTag = strace === undefined ? -1 : this.tagOf(strace, true);
    const o = this.start(ENTRY.id, ts);
    const prev = this.delta.words(ENTRY.id);
    o.varU32(cpu);
    o.varU32(pid);
    o.varU32(tid);
    o.varU32(nr);
    this.putString(o, name, nameTag);
    const count = args.length >>> 1;
    o.varU32(count);
    for (let k = 0; k < count; k++) {
      if (k < DELTA_ARRAY) o.zigDelta64(args[2 * k + 1]!, args[2 * k]!, prev, ENTRY.args + k);
      else o.zig64(args[2 * k + 1]!, args[2 * k]!);
    }
    o.zigDelta64(hi32(ptRegs), lo32(ptRegs), prev, ENTRY.ptRegs);
    o.zigDelta64(hi32(sp0), lo32(sp0), prev, ENTRY.sp0);
    this.ptRegs(o, regs, prev, ENTRY.regs);
    o.u8(irqsEnabled ? 1 : 0);
    if (strace === undefined) o.u8(0);
    else {
      o.u8(1);
      this.putString(o, strace, straceTag);
    }
    this.end();
  }

  /** Same as TraceSink.syscallExit; writes what `record` would. */
  writeSyscallExit(
    ts: number,
    cpu: number,
    pid: number,
    tid: number,
    nr: number,
    ret: U64In,
    irqsEnabled: boolean,
    warned: boolean,
    path: string,
    strace?: string,
  ): void {
    const pathTag = this.tagOf(path, true);
    const straceTag = strace === undefined ? -1 : this.tagOf(strace, true);
    const o = this.start(EXIT.id, ts);
    const prev = this.delta.words(EXIT.id);
    o.varU32(cpu);
    o.varU32(pid);
    o.varU32(tid);
    o.varU32(nr);
    o.zigDelta64(hi32(ret), lo32(ret), prev, EXIT.ret);
    o.u8(irqsEnabled ? 1 : 0);
    o.u8(warned ? 1 : 0);
    this.putString(o, path, pathTag);
    if (strace === undefined) o.u8(0);
    else {
      o.u8(1);
      this.putString(o, strace, straceTag);
    }
    this.end();
  }

  /** Same as TraceSink.instruction; writes what `record` would. */
  writeInstruction(
    ts: number,
    cpu: number,
    pid: number,
    tid: number,
    ip: U64In,
    bytes: Uint8Array,
    cpl: number,
    sp: U64In,
    flags: U64In,
    gsBase: U64In,
  ): void {
    const o = this.start(INSN.id, ts);
    const prev = this.delta.words(INSN.id);
    o.varU32(cpu);
    o.varU32(pid);
    o.varU32(tid);
    o.zigDelta64(hi32(ip), lo32(ip), prev, INSN.ip);
    o.varU32(bytes.length);
    o.raw(bytes);
    o.u8(cpl & 0xff);
    o.zigDelta64(hi32(sp), lo32(sp), prev, INSN.sp);
    o.zigDelta64(hi32(flags), lo32(flags), prev, INSN.flags);
    o.zigDelta64(hi32(gsBase), lo32(gsBase), prev, INSN.gsBase);
    this.end();
  }

  /** Same as TraceSink.counter; writes what `record` would. */
  writeCounter(ts: number, cpu: number, name: string, value: U64In): void {
    const nameTag = this.tagOf(name, true);
    const o = this.start(COUNTER.id, ts);
    const prev = this.delta.words(COUNTER.id);
    o.varU32(cpu);
    this.putString(o, name, nameTag);
    o.zigDelta64(hi32(value), lo32(value), prev, COUNTER.value);
    this.end();
  }

  /**
   * Starts an event record in the output buffer: its type, one byte kept for the payload
   * length (`end` fills it in, moving the payload in the rare case it is 128 bytes or more),
   * the timestamp delta.
   */
  private start(id: number, ts: number): ByteEncoder {
    if (this.closed) throw new Error('BinaryTraceWriter: event recorded after close()');
    const o = this.out;
    o.varU32(id);
    o.ensure(1);
    this.lengthAt = o.pos++;
    o.zigNumber(ts - this.lastTs);
    this.lastTs = ts;
    return o;
  }

  /** Ends the event record `start` began. */
  private end(): void {
    const o = this.out;
    const at = this.lengthAt;
    const length = o.pos - at - 1;
    if (length < 0x80) o.bytes[at] = length;
    else {
      const size = length < 1 << 14 ? 2 : length < 1 << 21 ? 3 : 4;
      o.ensure(size - 1);
      o.bytes.copyWithin(at + size, at + 1, o.pos);
      o.pos = at;
      o.varU32(length);
      o.pos += length;
    }
    this.eventCount++;
    if (o.pos >= this.chunkSize) this.flush();
  }

  /** Starts an event record in the payload buffer (the generic path), the timestamp delta written. */
  private begin(ts: number): ByteEncoder {
    if (this.closed) throw new Error('BinaryTraceWriter: event recorded after close()');
    const p = this.payload;
    p.pos = 0;
    p.zigNumber(ts - this.lastTs);
    this.lastTs = ts;
    return p;
  }

  /** Writes the event record whose payload is in the payload buffer. */
  private finish(id: number): void {
    this.writeRecord(id, this.payload.bytes, this.payload.pos);
    this.eventCount++;
    if (this.out.pos >= this.chunkSize) this.flush();
  }

  /** A pt_regs field: the mask of the registers that changed, then their deltas. */
  private ptRegs(o: ByteEncoder, words: U64Words, prev: Uint32Array, slot: number): void {
    const base = 2 * slot;
    let mask = 0;
    if (words instanceof Uint32Array && words.length >= 42) {
      // what a kernel passes (a view of the kernel stack): no missing or negative words
      for (let k = 0; k < 21; k++) {
        if (words[2 * k] !== prev[base + 2 * k] || words[2 * k + 1] !== prev[base + 2 * k + 1])
          mask |= 1 << k;
      }
    } else {
      for (let k = 0; k < 21; k++) {
        if (
          (words[2 * k] ?? 0) >>> 0 !== prev[base + 2 * k] ||
          (words[2 * k + 1] ?? 0) >>> 0 !== prev[base + 2 * k + 1]
        ) {
          mask |= 1 << k;
        }
      }
    }
    o.varU32(mask);
    for (let k = 0; k < 21; k++) {
      if (mask & (1 << k)) o.zigDelta64(words[2 * k + 1] ?? 0, words[2 * k] ?? 0, prev, slot + k);
    }
  }

  /**
   * The reference tag of `text` (2 × its string id) when it is interned — interning it now,
   * with its definition record written to the output, if `intern` and the table has room —
   * or -1 when it must be written inline.
   */
  private tagOf(text: string, intern: boolean): number {
    // A small direct-mapped cache in front of the Map: the same few names and exit paths come
    // back on every syscall, and comparing one string is cheaper than hashing it.
    const slot = (text.length * 31 + (text.charCodeAt(0) | 0)) & (STRING_CACHE - 1);
    if (this.cachedText[slot] === text) return this.cachedId[slot]! * 2;
    let id = this.strings.get(text);
    if (id === undefined && intern && this.strings.size < this.maxInterned) {
      id = this.strings.size;
      this.strings.set(text, id);
      const bytes = utf8(text);
      this.writeRecord(STRING_RECORD, bytes, bytes.length);
    }
    if (id === undefined) return -1;
    this.cachedText[slot] = text;
    this.cachedId[slot] = id;
    return id * 2;
  }

  /** A string field: its reference tag, or (tag -1) inline, its length then its UTF-8 bytes. */
  private putString(o: ByteEncoder, text: string, tag: number): void {
    if (tag >= 0) {
      o.varU32(tag);
      return;
    }
    o.varU32(utf8Length(text) * 2 + 1);
    o.utf8(text);
  }

  private string(text: string, intern: boolean): void {
    this.putString(this.payload, text, this.tagOf(text, intern));
  }

  private writeRecord(type: number, bytes: Uint8Array, length: number): void {
    const out = this.out;
    out.varU32(type);
    out.varU32(length);
    out.ensure(length);
    // a plain loop: payloads are a few dozen bytes, and subarray() would allocate a view
    const to = out.bytes;
    let at = out.pos;
    for (let i = 0; i < length; i++) to[at++] = bytes[i]!;
    out.pos = at;
  }

  override flush(): void {
    const out = this.out;
    if (out.pos === 0) return;
    const chunk = out.bytes.slice(0, out.pos);
    out.pos = 0;
    this.bytesWritten += chunk.length;
    this.onChunk(chunk);
  }

  /** Writes the end record (with the event count) and flushes. */
  override close(): void {
    if (this.closed) return;
    const p = this.payload;
    p.pos = 0;
    p.var64(Math.floor(this.eventCount / 4294967296), this.eventCount >>> 0);
    this.writeRecord(RECORD_END, p.bytes, p.pos);
    this.closed = true;
    this.flush();
  }
}

// The fast paths are the writer's TraceSink methods for these events (SchemaSink's generic
// ones, installed on its prototype, stay reachable through `record`).
Object.defineProperties(BinaryTraceWriter.prototype, {
  syscallEntry: { value: BinaryTraceWriter.prototype.writeSyscallEntry, writable: true, configurable: true },
  syscallExit: { value: BinaryTraceWriter.prototype.writeSyscallExit, writable: true, configurable: true },
  instruction: { value: BinaryTraceWriter.prototype.writeInstruction, writable: true, configurable: true },
  counter: { value: BinaryTraceWriter.prototype.writeCounter, writable: true, configurable: true },
});

/** Encodes a whole trace in memory: calls `produce` with a writer, closes it, returns the bytes. */
export function encodeTrace(
  produce: (sink: BinaryTraceWriter) => void,
  options: BinaryTraceWriterOptions = {},
): Uint8Array {
  const chunks: Uint8Array[] = [];
  const writer = new BinaryTraceWriter((c) => chunks.push(c), options);
  produce(writer);
  writer.close();
  let size = 0;
  for (const c of chunks) size += c.length;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}
