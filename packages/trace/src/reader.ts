// Decodes the binary trace format (FORMAT.md). TraceReader is incremental: feed it chunks in
// order and pull events; it keeps only the bytes of the record it has not finished, so memory
// stays bounded by the largest record. Every event is decoded, and checked, into one reused
// TraceRecord (`nextRecord`, no allocation per event); `next` turns it into an object.
// forEachTraceRecord, readTrace and readTraceStream are built on it.
import { TraceFormatError } from './errors.js';
import type { TraceHeader } from './format.js';
import {
  FORMAT_MAJOR,
  FORMAT_MINOR,
  MAGIC,
  MAX_HEADER_SIZE,
  MAX_RECORD_PAYLOAD,
  PREAMBLE_SIZE,
  RECORD_END,
  RECORD_STRING,
} from './format.js';
import { DeltaState, MAX_DELTA_ARRAY } from './delta.js';
import type { EventLayout } from './layout.js';
import {
  K_BOOL,
  K_BYTES,
  K_I32,
  K_PT_REGS,
  K_STRING,
  K_U32,
  K_U64,
  K_U64_ARRAY,
  K_U8,
  LAYOUTS,
} from './layout.js';
import { TraceRecord } from './record.js';
import type { EventName } from './schema.js';
import type { TraceEvent } from './types.js';
import { decodeUtf8 } from './utf8.js';
import { ByteDecoder, addDelta as importedAddDelta } from './varint.js';

// Imported values used per event are copied into module constants: a loader that compiles
// imports to property getters (tsx does) would otherwise make every use a call.
const U8 = K_U8;
const U32 = K_U32;
const I32 = K_I32;
const BOOL = K_BOOL;
const U64 = K_U64;
const STRING = K_STRING;
const U64_ARRAY = K_U64_ARRAY;
const BYTES = K_BYTES;
const PT_REGS = K_PT_REGS;
const DELTA_ARRAY = MAX_DELTA_ARRAY;
const MAX_PAYLOAD = MAX_RECORD_PAYLOAD;
const STRING_RECORD = RECORD_STRING;
const END_RECORD = RECORD_END;
const layouts = LAYOUTS;
const addDelta = importedAddDelta;

export interface TraceReaderOptions {
  /** Throw on record types this reader does not know instead of skipping them. */
  strict?: boolean;
  /** Accept a trace that stops at a record boundary without its end record (a crashed writer). */
  allowMissingEnd?: boolean;
}

export interface TraceVersion {
  major: number;
  minor: number;
}

const EMPTY = new Uint8Array(0);

function describe(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export class TraceReader {
  private readonly options: TraceReaderOptions;
  private pending: Uint8Array = EMPTY;
  private pos = 0;
  /** File offset of pending[0]. */
  private base = 0;
  private stage: 'preamble' | 'header' | 'records' | 'ended' = 'preamble';
  private headerLength = 0;
  private readonly strings: string[] = [];
  private readonly delta = new DeltaState();
  private lastTs = 0;
  private eventRecords = 0;
  private endedAt = 0;
  /** The file header, once read. */
  header: TraceHeader | undefined;
  /** The file's format version, once read. */
  version: TraceVersion | undefined;
  /** Records of unknown types that were skipped. */
  skippedRecords = 0;

  constructor(options: TraceReaderOptions = {}) {
    this.options = options;
  }

  /** Adds the next chunk of the file. The chunk must not be modified afterwards. */
  feed(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.pos >= this.pending.length) {
      this.base += this.pending.length;
      this.pending = chunk;
    } else {
      const rest = this.pending.subarray(this.pos);
      const joined = new Uint8Array(rest.length + chunk.length);
      joined.set(rest);
      joined.set(chunk, rest.length);
      this.base += this.pos;
      this.pending = joined;
    }
    this.pos = 0;
  }

  private get available(): number {
    return this.pending.length - this.pos;
  }

  private get offset(): number {
    return this.base + this.pos;
  }

  /**
   * The next complete event decoded into the reader's one reused TraceRecord (valid until the
   * next call), or undefined when more input is needed (or the trace ended). Decodes and checks
   * every field like `next()`, without allocating per event.
   */
  nextRecord(): TraceRecord | undefined {
    for (;;) {
      switch (this.stage) {
        case 'preamble':
          if (!this.readPreamble()) return undefined;
          break;
        case 'header':
          if (!this.readHeader()) return undefined;
          break;
        case 'records':
          if (!this.readRecord()) return undefined;
          if (this.hasEvent) return this.record;
          break;
        case 'ended':
          if (this.available > 0) {
            throw new TraceFormatError('corrupt', this.offset, 'data follows the end record');
          }
          return undefined;
      }
    }
  }

  /** The next complete event as an object, or undefined when more input is needed (or the trace ended). */
  next(): TraceEvent | undefined {
    return this.nextRecord()?.toEvent();
  }

  /** Declares the input complete: throws if the trace stopped early. */
  end(): void {
    if (this.stage === 'preamble' && this.available < 8) {
      const got = this.pending.subarray(this.pos);
      if (!got.every((b, i) => b === MAGIC[i])) throw this.badMagic(got);
    }
    if (this.nextRecord() !== undefined) throw new Error('TraceReader.end() called with unread events');
    const fileEnd = this.base + this.pending.length;
    switch (this.stage) {
      case 'preamble':
        throw new TraceFormatError(
          'truncated',
          fileEnd,
          `file is truncated: it ends at byte ${fileEnd}, inside the ${PREAMBLE_SIZE}-byte preamble`,
        );
      case 'header':
        throw new TraceFormatError(
          'truncated',
          fileEnd,
          `file is truncated: it ends at byte ${fileEnd}, inside the ${this.headerLength}-byte header that starts at byte ${PREAMBLE_SIZE}`,
        );
      case 'records':
        if (this.available > 0) {
          throw new TraceFormatError(
            'truncated',
            fileEnd,
            `file is truncated: it ends at byte ${fileEnd}, inside the record that starts at byte ${this.offset}`,
          );
        }
        if (!this.options.allowMissingEnd) {
          throw new TraceFormatError(
            'truncated',
            fileEnd,
            `file is truncated: it ends at byte ${fileEnd} without an end record`,
          );
        }
        return;
      case 'ended':
        return;
    }
  }

  private badMagic(got: Uint8Array): TraceFormatError {
    // Show the bytes up to the first that differs: the same text however the file was chunked.
    let n = 0;
    while (n < got.length && got[n] === MAGIC[n]) n++;
    const found = describe(got.subarray(0, n + 1));
    return new TraceFormatError(
      'bad-magic',
      0,
      `not a legosim trace: expected magic "LGSTRACE" (${describe(MAGIC)}), found ${found || 'nothing'}`,
    );
  }

  private readPreamble(): boolean {
    if (this.available < PREAMBLE_SIZE) {
      // Fail early on a wrong magic even before 16 bytes arrived.
      const got = this.pending.subarray(this.pos, this.pos + Math.min(8, this.available));
      if (!got.every((b, i) => b === MAGIC[i])) throw this.badMagic(got);
      return false;
    }
    const b = this.pending;
    const p = this.pos;
    for (let i = 0; i < 8; i++) if (b[p + i] !== MAGIC[i]) throw this.badMagic(b.subarray(p, p + 8));
    const major = b[p + 8]! | (b[p + 9]! << 8);
    const minor = b[p + 10]! | (b[p + 11]! << 8);
    if (major > FORMAT_MAJOR) {
      throw new TraceFormatError(
        'unsupported-version',
        8,
        `trace format version ${major}.${minor} is newer than this reader (${FORMAT_MAJOR}.x); upgrade @legosim/trace`,
      );
    }
    if (major < FORMAT_MAJOR) {
      throw new TraceFormatError(
        'unsupported-version',
        8,
        `trace format version ${major}.${minor} is older than this reader supports (${FORMAT_MAJOR}.x)`,
      );
    }
    this.version = { major, minor };
    this.minor = Math.min(minor, FORMAT_MINOR);
    this.headerLength = (b[p + 12]! | (b[p + 13]! << 8) | (b[p + 14]! << 16) | (b[p + 15]! << 24)) >>> 0;
    if (this.headerLength > MAX_HEADER_SIZE) {
      throw new TraceFormatError(
        'bad-header',
        12,
        `header length ${this.headerLength} exceeds the ${MAX_HEADER_SIZE}-byte limit`,
      );
    }
    this.pos += PREAMBLE_SIZE;
    this.stage = 'header';
    return true;
  }

  private readHeader(): boolean {
    if (this.available < this.headerLength) return false;
    const start = this.offset;
    const bytes = this.pending.subarray(this.pos, this.pos + this.headerLength);
    let header: unknown;
    try {
      header = JSON.parse(decodeUtf8(bytes));
    } catch (e) {
      throw new TraceFormatError(
        'bad-header',
        start,
        `header is not valid UTF-8 JSON (${(e as Error).message})`,
      );
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      throw new TraceFormatError('bad-header', start, 'header is not a JSON object');
    }
    this.header = header as TraceHeader;
    this.pos += this.headerLength;
    this.stage = 'records';
    return true;
  }

  /** Reads one unsigned LEB128 32-bit varint at `at`; -1 when the buffer ends inside it. */
  private peekVarU32(at: number, what: string): number {
    const b = this.pending;
    // one byte (types, and lengths below 128): the usual case
    if (at < b.length && b[at]! < 0x80) {
      this.peekEnd = at + 1;
      return b[at]!;
    }
    let result = 0;
    for (let i = 0; i < 5; i++) {
      if (at + i >= b.length) return -1;
      const byte = b[at + i]!;
      if (i === 4 && byte > 0x0f) break;
      result += (byte & 0x7f) * 2 ** (7 * i);
      if (byte < 0x80) {
        this.peekEnd = at + i + 1;
        return result;
      }
    }
    throw new TraceFormatError('corrupt', this.base + at, `varint for ${what} does not fit in 32 bits`);
  }
  private peekEnd = 0;
  /** Decoder over the current record's payload, reused for every record. */
  private readonly decoder = new ByteDecoder(EMPTY);
  /** The record every event is decoded into. */
  private readonly record = new TraceRecord();
  /** Whether the last record read was an event. */
  private hasEvent = false;
  /** The file's minor version, capped at this reader's (it decodes the fields it knows). */
  private minor = 0;

  /**
   * false: need more input; true: a record was consumed — an event (now in `this.record`) when
   * `this.hasEvent`, else a string definition, the end record or a skipped unknown record.
   */
  private readRecord(): boolean {
    const start = this.pos;
    const type = this.peekVarU32(start, 'the record type');
    if (type < 0) return false;
    const length = this.peekVarU32(this.peekEnd, 'the record length');
    if (length < 0) return false;
    if (length > MAX_PAYLOAD) {
      throw new TraceFormatError(
        'corrupt',
        this.base + start,
        `record length ${length} exceeds the ${MAX_PAYLOAD}-byte limit`,
      );
    }
    const payload = this.peekEnd;
    if (this.pending.length - payload < length) return false;
    const d = this.decoder;
    d.bytes = this.pending;
    d.pos = payload;
    d.end = payload + length;
    d.base = this.base;
    this.pos = payload + length;
    this.hasEvent = false;
    if (type === STRING_RECORD) {
      this.strings.push(this.text(d.bytesOf(length, 'a string'), this.base + payload));
      return true;
    }
    if (type === END_RECORD) {
      d.var64('the event count');
      const count = d.hi * 4294967296 + d.lo;
      if (count !== this.eventRecords) {
        throw new TraceFormatError(
          'corrupt',
          this.base + start,
          `end record counts ${count} events but the trace holds ${this.eventRecords}`,
        );
      }
      this.stage = 'ended';
      this.endedAt = this.base + this.pos;
      return true;
    }
    const layout = layouts[type];
    if (type >= 16) this.eventRecords++;
    if (!layout) {
      if (this.options.strict) {
        throw new TraceFormatError(
          'unknown-record',
          this.base + start,
          `unknown record type ${type} (${length}-byte payload)`,
        );
      }
      this.skippedRecords++;
      return true;
    }
    this.decodeEvent(layout, d);
    this.hasEvent = true;
    return true;
  }

  private text(bytes: Uint8Array, offset: number): string {
    try {
      return decodeUtf8(bytes);
    } catch {
      throw new TraceFormatError('corrupt', offset, 'string is not valid UTF-8');
    }
  }

  /**
   * Decodes the payload in `d` into `this.record`, checking every field. The common cases (a
   * one-byte varint, an interned string) are decoded inline from a local position; everything
   * else, and every error, goes through `d` from the same position, so messages and offsets
   * are the decoder's.
   */
  private decodeEvent(layout: EventLayout, d: ByteDecoder): void {
    const def = layout.def;
    const r = this.record;
    const tsAt = d.offset;
    const ts = this.lastTs + d.zigNumber('the timestamp delta');
    if (!Number.isSafeInteger(ts) || ts < 0) {
      throw new TraceFormatError('corrupt', tsAt, `timestamp ${ts} of ${def.name} is out of range`);
    }
    this.lastTs = ts;
    r.def = def;
    r.type = def.name as EventName;
    r.id = def.id;
    r.ts = ts;
    r.layout = layout;
    r.buf = d.bytes;
    const count = layout.fieldsByMinor[this.minor]!;
    r.fieldCount = count;
    const prev = this.delta.words(def.id);
    const { kinds, optional, base, what } = layout;
    const { present, nums, his, los, strs, starts } = r;
    const bytes = d.bytes;
    const end = d.end;
    let pos = d.pos;
    let words = 0; // next free word of r.wordData
    for (let index = 0; index < count; index++) {
      if (optional[index] === 1) {
        let flag = pos < end ? bytes[pos]! : 2;
        if (flag <= 1) pos++;
        else {
          d.pos = pos;
          const at = d.offset;
          flag = d.u8(what[index]!);
          if (flag !== 1)
            throw new TraceFormatError('corrupt', at, `presence byte of ${what[index]} is ${flag}`);
          pos = d.pos;
        }
        if (flag === 0) {
          present[index] = 0;
          continue;
        }
      }
      present[index] = 1;
      switch (kinds[index]) {
        case U8:
          if (pos < end) nums[index] = bytes[pos++]!;
          else {
            d.pos = pos;
            d.u8(what[index]!); // throws: the payload ends here
          }
          break;
        case U32: {
          const b = pos < end ? bytes[pos]! : 0x80;
          if (b < 0x80) {
            nums[index] = b;
            pos++;
          } else {
            d.pos = pos;
            nums[index] = d.varU32(what[index]!);
            pos = d.pos;
          }
          break;
        }
        case I32: {
          d.pos = pos;
          const at = d.offset;
          const v = d.zigNumber(what[index]!);
          if (v < -0x80000000 || v > 0x7fffffff) {
            throw new TraceFormatError('corrupt', at, `${what[index]} = ${v} does not fit in 32 bits`);
          }
          nums[index] = v;
          pos = d.pos;
          break;
        }
        case BOOL: {
          const b = pos < end ? bytes[pos]! : 2;
          if (b <= 1) {
            nums[index] = b;
            pos++;
          } else {
            d.pos = pos;
            const at = d.offset;
            const v = d.u8(what[index]!);
            throw new TraceFormatError('corrupt', at, `${what[index]} is ${v}, not a boolean`);
          }
          break;
        }
        case U64: {
          const slot = base[index]!;
          const z = pos < end ? bytes[pos]! : 0x80;
          if (z < 0x80) {
            addDelta(prev, slot, z);
            pos++;
          } else {
            d.pos = pos;
            d.zigDelta64(prev, slot, what[index]!);
            pos = d.pos;
          }
          his[index] = prev[2 * slot + 1]!;
          los[index] = prev[2 * slot]!;
          break;
        }
        case STRING: {
          const tag = pos < end ? bytes[pos]! : 0x80;
          const s = tag < 0x80 && (tag & 1) === 0 ? this.strings[tag >>> 1] : undefined;
          if (s !== undefined) {
            strs[index] = s;
            pos++;
            break;
          }
          d.pos = pos;
          const at = d.offset;
          const t = d.varU32(what[index]!);
          const n = Math.floor(t / 2);
          if (t % 2 === 1) {
            strs[index] = this.text(d.bytesOf(n, what[index]!), d.offset - n);
          } else {
            const ref = this.strings[n];
            if (ref === undefined)
              throw new TraceFormatError('corrupt', at, `${what[index]} refers to undefined string ${n}`);
            strs[index] = ref;
          }
          pos = d.pos;
          break;
        }
        case U64_ARRAY: {
          d.pos = pos;
          const at = d.offset;
          const n = d.varU32(what[index]!);
          if (n > d.end - d.pos) {
            throw new TraceFormatError(
              'corrupt',
              at,
              `${what[index]} claims ${n} values, more than the record holds`,
            );
          }
          pos = d.pos;
          nums[index] = n;
          starts[index] = words;
          let out = r.wordData;
          if (out.length < words + 2 * n) out = r.growWords(words + 2 * n);
          const slot = base[index]!;
          for (let k = 0; k < n; k++) {
            const z = pos < end ? bytes[pos]! : 0x80;
            if (k < DELTA_ARRAY && z < 0x80) {
              addDelta(prev, slot + k, z);
              pos++;
              out[words++] = prev[2 * (slot + k)]!;
              out[words++] = prev[2 * (slot + k) + 1]!;
              continue;
            }
            d.pos = pos;
            if (k < DELTA_ARRAY) d.zigDelta64(prev, slot + k, what[index]!);
            else d.zig64(what[index]!);
            pos = d.pos;
            out[words++] = d.lo;
            out[words++] = d.hi;
          }
          break;
        }
        case BYTES: {
          d.pos = pos;
          const n = d.varU32(what[index]!);
          nums[index] = n;
          starts[index] = d.skip(n, what[index]!);
          pos = d.pos;
          break;
        }
        case PT_REGS: {
          d.pos = pos;
          const at = d.offset;
          const mask = d.varU32(what[index]!);
          if (mask >= 1 << 21)
            throw new TraceFormatError('corrupt', at, `${what[index]} change mask ${mask} has bits above 20`);
          pos = d.pos;
          const slot = base[index]!;
          for (let k = 0; k < 21; k++) {
            if ((mask & (1 << k)) === 0) continue;
            const z = pos < end ? bytes[pos]! : 0x80;
            if (z < 0x80) {
              addDelta(prev, slot + k, z);
              pos++;
            } else {
              d.pos = pos;
              d.zigDelta64(prev, slot + k, layout.regWhat[index]![k]!);
              pos = d.pos;
            }
          }
          // the delta state now holds the registers: the record reads them there, no copy
          r.regData = prev;
          starts[index] = 2 * slot;
          break;
        }
      }
    }
    d.pos = pos;
    // Bytes left in the payload are fields a newer minor version appended: ignored.
  }

  /** File offset just past the end record (0 until it was read). */
  get endOffset(): number {
    return this.endedAt;
  }
}

export interface DecodedTrace {
  version: TraceVersion;
  header: TraceHeader;
  events: TraceEvent[];
  /** Records of unknown types that were skipped. */
  skippedRecords: number;
}

/** Decodes a whole trace file held in memory. */
export function readTrace(bytes: Uint8Array, options: TraceReaderOptions = {}): DecodedTrace {
  const reader = new TraceReader(options);
  reader.feed(bytes);
  const events: TraceEvent[] = [];
  for (let r = reader.nextRecord(); r !== undefined; r = reader.nextRecord()) events.push(r.toEvent());
  reader.end();
  return {
    version: reader.version!,
    header: reader.header!,
    events,
    skippedRecords: reader.skippedRecords,
  };
}

/** What `forEachTraceRecord` read besides the events. */
export interface TraceRecordsResult {
  version: TraceVersion;
  header: TraceHeader;
  /** Events visited. */
  events: number;
  /** Records of unknown types that were skipped. */
  skippedRecords: number;
}

/**
 * Reads a trace arriving as chunks (e.g. a file read 1 MiB at a time) and calls `visit` with
 * every event as the reader's one reused TraceRecord: every field decoded and checked, no
 * allocation per event, memory bounded by a chunk and the largest record. `visit` must not
 * keep the record (copy what it needs, or call `toEvent()`). Throws TraceFormatError like
 * `readTrace`, also when the trace stops early.
 */
export async function forEachTraceRecord(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  visit: (record: TraceRecord) => void,
  options: TraceStreamOptions = {},
): Promise<TraceRecordsResult> {
  const reader = new TraceReader(options);
  let announced = false;
  let events = 0;
  for await (const chunk of chunks) {
    reader.feed(chunk);
    let record = reader.nextRecord();
    if (!announced && reader.header) {
      announced = true;
      options.onHeader?.(reader.header, reader.version!);
    }
    for (; record !== undefined; record = reader.nextRecord()) {
      events++;
      visit(record);
    }
  }
  reader.end();
  if (!announced) options.onHeader?.(reader.header!, reader.version!);
  return { version: reader.version!, header: reader.header!, events, skippedRecords: reader.skippedRecords };
}

export interface TraceStreamOptions extends TraceReaderOptions {
  /** Called once the header has been read, before the first event. */
  onHeader?: (header: TraceHeader, version: TraceVersion) => void;
}

/** Decodes a trace arriving as chunks, yielding events as they complete (bounded memory). */
export async function* readTraceStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: TraceStreamOptions = {},
): AsyncGenerator<TraceEvent, void, undefined> {
  const reader = new TraceReader(options);
  let announced = false;
  for await (const chunk of chunks) {
    reader.feed(chunk);
    for (let e = reader.next(); e !== undefined; e = reader.next()) {
      if (!announced && reader.header) {
        announced = true;
        options.onHeader?.(reader.header, reader.version!);
      }
      yield e;
    }
  }
  if (!announced && reader.header) options.onHeader?.(reader.header, reader.version!);
  reader.end();
}
