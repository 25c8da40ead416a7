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
import {
  ByteEncoder,
  putUtf8,
  putVarU32,
  putZig64,
  putZigDelta64,
  putZigNumber,
  utf8Length,
} from './varint.js';

// Imported values used per event are copied into module constants: a loader that compiles
// imports to property getters (tsx does) would otherwise make every use a call.
const DELTA_ARRAY = MAX_DELTA_ARRAY;
const hi32 = hiOf;
const lo32 = loOf;
const STRING_RECORD = RECORD_STRING;
const utf8 = encodeUtf8;
const varU32At = putVarU32;
const zig64At = putZig64;
const zigDeltaAt = putZigDelta64;
const zigNumberAt = putZigNumber;
const utf8At = putUtf8;
const utf8Bytes = utf8Length;

/**
 * Room a fast path reserves for its record besides its u64[] elements and inline strings:
 * the type and length bytes, the timestamp, every scalar field at its widest (a u32 varint is
 * 5 bytes, a u64 one 10) and all 21 pt_regs fields changed, with some to spare.
 */
const RECORD_ROOM = 320;

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
  /**
   * How a chunk is handed to the callback. `'copy'` (the default): a new Uint8Array that the
   * callback may keep. `'view'`: a view of the writer's own buffer, valid only until the callback
   * returns, for a callback that writes the chunk out at once (`fs.writeSync`) or copies it.
   * A view saves allocating a fresh chunk-sized buffer each time, which in a syscall-heavy run
   * costs as much as encoding the events.
   */
  chunks?: 'copy' | 'view';
}

/**
 * A pt_regs field at `pos` of `b` (room for 3 + 21 × 10 bytes): the mask of the registers that
 * differ from the previous event's, then their deltas. Returns the position after it.
 */
function ptRegsAt(b: Uint8Array, pos: number, words: U64Words, prev: Uint32Array, slot: number): number {
  const base = 2 * slot;
  if (!(words instanceof Uint32Array && words.length >= 42)) return ptRegsGeneric(b, pos, words, prev, slot);
  // What a kernel passes (a view of the kernel stack): no missing or negative words. One pass
  // compares each register and writes the delta of a changed one after room for the mask (21
  // bits: at most 3 bytes), then the mask goes in front; a syscall loop changes a handful.
  const maskAt = pos;
  pos += 3;
  let mask = 0;
  for (let k = 0; k < 21; k++) {
    const lo = words[2 * k]!;
    const hi = words[2 * k + 1]!;
    if (lo !== prev[base + 2 * k] || hi !== prev[base + 2 * k + 1]) {
      mask |= 1 << k;
      pos = zigDeltaAt(b, pos, hi, lo, prev, slot + k);
    }
  }
  const maskEnd = varU32At(b, maskAt, mask);
  if (maskEnd === maskAt + 3) return pos;
  // a shorter mask: move the deltas (a few bytes) down to it
  let to = maskEnd;
  for (let from = maskAt + 3; from < pos; from++) b[to++] = b[from]!;
  return to;
}

/** ptRegsAt for any U64Words (missing words are 0). */
function ptRegsGeneric(b: Uint8Array, pos: number, words: U64Words, prev: Uint32Array, slot: number): number {
  const base = 2 * slot;
  let mask = 0;
  for (let k = 0; k < 21; k++) {
    if (
      (words[2 * k] ?? 0) >>> 0 !== prev[base + 2 * k] ||
      (words[2 * k + 1] ?? 0) >>> 0 !== prev[base + 2 * k + 1]
    ) {
      mask |= 1 << k;
    }
  }
  pos = varU32At(b, pos, mask);
  for (let k = 0; k < 21; k++) {
    if (mask & (1 << k)) pos = zigDeltaAt(b, pos, words[2 * k + 1] ?? 0, words[2 * k] ?? 0, prev, slot + k);
  }
  return pos;
}

export class BinaryTraceWriter extends SchemaSink {
  private readonly onChunk: (chunk: Uint8Array) => void;
  private readonly chunkSize: number;
  private readonly viewChunks: boolean;
  private readonly maxInterned: number;
  private readonly out: ByteEncoder;
  private readonly payload = new ByteEncoder(512);
  private readonly strings = new Map<string, number>();
  /** Recently used interned strings and their ids (see `string`). */
  private readonly cachedText: (string | undefined)[] = new Array<string | undefined>(STRING_CACHE);
  private readonly cachedId = new Uint32Array(STRING_CACHE);
  private readonly delta = new DeltaState();
  // the fast paths' delta states, looked up once
  private readonly entryPrev: Uint32Array;
  private readonly exitPrev: Uint32Array;
  private readonly insnPrev: Uint32Array;
  private readonly counterPrev: Uint32Array;
  // The last string of the fast paths' busiest string fields and its tag: a syscall loop repeats
  // them, and a field of the writer is closer at hand than the cache (and its ids) in memory.
  // A string's tag never changes once known (the interned table only grows; a string left
  // inline stays inline).
  private entryName: string | undefined = undefined;
  private entryNameTag = -1;
  private exitPath: string | undefined = undefined;
  private exitPathTag = -1;
  private exitStrace: string | undefined = undefined;
  private exitStraceTag = -1;
  // syscall_entry's pt_regs and sp0 as last passed, and their halves: the same task's come back
  private ptRegsIn: U64In = 0;
  private ptRegsHi = 0;
  private ptRegsLo = 0;
  private sp0In: U64In = 0;
  private sp0Hi = 0;
  private sp0Lo = 0;
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
    this.viewChunks = options.chunks === 'view';
    this.maxInterned = options.maxInternedStrings ?? 4096;
    this.out = new ByteEncoder(this.chunkSize + 1024);
    this.entryPrev = this.delta.words(ENTRY.id);
    this.exitPrev = this.delta.words(EXIT.id);
    this.insnPrev = this.delta.words(INSN.id);
    this.counterPrev = this.delta.words(COUNTER.id);
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
    let nameTag = this.entryNameTag;
    if (name !== this.entryName) {
      nameTag = this.tagOf(name, true);
      this.entryName = name;
      this.entryNameTag = nameTag;
    }
    const straceTag = strace === undefined ? -1 : this.tagOf(strace, true);
    const count = args.length >>> 1;
    let room = RECORD_ROOM + 10 * count;
    if (nameTag < 0) room += 3 * name.length;
    if (straceTag < 0) room += 3 * (strace?.length ?? 0);
    let pos = this.start(ENTRY.id, ts, room);
    const b = this.out.bytes;
    const prev = this.entryPrev;
    pos = varU32At(b, pos, cpu);
    pos = varU32At(b, pos, pid);
    pos = varU32At(b, pos, tid);
    pos = varU32At(b, pos, nr);
    pos = this.putStringAt(b, pos, name, nameTag);
    pos = varU32At(b, pos, count);
    for (let k = 0; k < count; k++) {
      if (k < DELTA_ARRAY) pos = zigDeltaAt(b, pos, args[2 * k + 1]!, args[2 * k]!, prev, ENTRY.args + k);
      else pos = zig64At(b, pos, args[2 * k + 1]!, args[2 * k]!);
    }
    if (ptRegs !== this.ptRegsIn) {
      this.ptRegsIn = ptRegs;
      this.ptRegsHi = hi32(ptRegs);
      this.ptRegsLo = lo32(ptRegs);
    }
    if (sp0 !== this.sp0In) {
      this.sp0In = sp0;
      this.sp0Hi = hi32(sp0);
      this.sp0Lo = lo32(sp0);
    }
    pos = zigDeltaAt(b, pos, this.ptRegsHi, this.ptRegsLo, prev, ENTRY.ptRegs);
    pos = zigDeltaAt(b, pos, this.sp0Hi, this.sp0Lo, prev, ENTRY.sp0);
    pos = ptRegsAt(b, pos, regs, prev, ENTRY.regs);
    b[pos++] = irqsEnabled ? 1 : 0;
    if (strace === undefined) b[pos++] = 0;
    else {
      b[pos++] = 1;
      pos = this.putStringAt(b, pos, strace, straceTag);
    }
    this.end(pos);
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
    let pathTag = this.exitPathTag;
    if (path !== this.exitPath) {
      pathTag = this.tagOf(path, true);
      this.exitPath = path;
      this.exitPathTag = pathTag;
    }
    let straceTag = -1;
    if (strace !== undefined) {
      straceTag = this.exitStraceTag;
      if (strace !== this.exitStrace) {
        straceTag = this.tagOf(strace, true);
        this.exitStrace = strace;
        this.exitStraceTag = straceTag;
      }
    }
    let room = RECORD_ROOM;
    if (pathTag < 0) room += 3 * path.length;
    if (straceTag < 0) room += 3 * (strace?.length ?? 0);
    let pos = this.start(EXIT.id, ts, room);
    const b = this.out.bytes;
    const prev = this.exitPrev;
    pos = varU32At(b, pos, cpu);
    pos = varU32At(b, pos, pid);
    pos = varU32At(b, pos, tid);
    pos = varU32At(b, pos, nr);
    pos = zigDeltaAt(b, pos, hi32(ret), lo32(ret), prev, EXIT.ret);
    b[pos++] = irqsEnabled ? 1 : 0;
    b[pos++] = warned ? 1 : 0;
    pos = this.putStringAt(b, pos, path, pathTag);
    if (strace === undefined) b[pos++] = 0;
    else {
      b[pos++] = 1;
      pos = this.putStringAt(b, pos, strace, straceTag);
    }
    this.end(pos);
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
    let pos = this.start(INSN.id, ts, RECORD_ROOM + bytes.length);
    const b = this.out.bytes;
    const prev = this.insnPrev;
    pos = varU32At(b, pos, cpu);
    pos = varU32At(b, pos, pid);
    pos = varU32At(b, pos, tid);
    pos = zigDeltaAt(b, pos, hi32(ip), lo32(ip), prev, INSN.ip);
    pos = varU32At(b, pos, bytes.length);
    b.set(bytes, pos);
    pos += bytes.length;
    b[pos++] = cpl & 0xff;
    pos = zigDeltaAt(b, pos, hi32(sp), lo32(sp), prev, INSN.sp);
    pos = zigDeltaAt(b, pos, hi32(flags), lo32(flags), prev, INSN.flags);
    pos = zigDeltaAt(b, pos, hi32(gsBase), lo32(gsBase), prev, INSN.gsBase);
    this.end(pos);
  }

  /** Same as TraceSink.counter; writes what `record` would. */
  writeCounter(ts: number, cpu: number, name: string, value: U64In): void {
    const nameTag = this.tagOf(name, true);
    let pos = this.start(COUNTER.id, ts, nameTag < 0 ? RECORD_ROOM + 3 * name.length : RECORD_ROOM);
    const b = this.out.bytes;
    const prev = this.counterPrev;
    pos = varU32At(b, pos, cpu);
    pos = this.putStringAt(b, pos, name, nameTag);
    pos = zigDeltaAt(b, pos, hi32(value), lo32(value), prev, COUNTER.value);
    this.end(pos);
  }

  /**
   * Starts an event record in the output buffer, with `room` bytes available for all of it:
   * its type, one byte kept for the payload length (`end` fills it in, moving the payload in
   * the rare case it is 128 bytes or more), the timestamp delta. Returns the position after
   * them; the caller writes the fields into `out.bytes` from there and passes `end` the
   * position after the last.
   */
  private start(id: number, ts: number, room: number): number {
    if (this.closed) throw new Error('BinaryTraceWriter: event recorded after close()');
    const o = this.out;
    o.ensure(room);
    const b = o.bytes;
    let pos = varU32At(b, o.pos, id);
    this.lengthAt = pos++;
    pos = zigNumberAt(b, pos, ts - this.lastTs);
    this.lastTs = ts;
    return pos;
  }

  /** Ends the event record `start` began, whose fields end at `pos`. */
  private end(pos: number): void {
    const o = this.out;
    o.pos = pos;
    const at = this.lengthAt;
    const length = pos - at - 1;
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

  /** A pt_regs field in the payload buffer (the generic path). */
  private ptRegs(p: ByteEncoder, words: U64Words, prev: Uint32Array, slot: number): void {
    p.ensure(5 + 21 * 10);
    p.pos = ptRegsAt(p.bytes, p.pos, words, prev, slot);
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

  /** putString into `b` at `pos` (the fast paths, with the room reserved); returns the position after. */
  private putStringAt(b: Uint8Array, pos: number, text: string, tag: number): number {
    if (tag >= 0) return varU32At(b, pos, tag);
    pos = varU32At(b, pos, utf8Bytes(text) * 2 + 1);
    return utf8At(b, pos, text);
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
    const chunk = this.viewChunks ? out.bytes.subarray(0, out.pos) : out.bytes.slice(0, out.pos);
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
  // the chunks are kept, so each must be a copy whatever the caller asked for
  const writer = new BinaryTraceWriter((c) => chunks.push(c), { ...options, chunks: 'copy' });
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
