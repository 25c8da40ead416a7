// Decodes the binary trace format (FORMAT.md). TraceReader is incremental: feed it chunks in
// order and pull events; it keeps only the bytes of the record it has not finished, so memory
// stays bounded by the largest record. readTrace and readTraceStream are built on it.
import { TraceFormatError } from './errors.js';
import type { TraceHeader } from './format.js';
import {
  FORMAT_MAJOR,
  MAGIC,
  MAX_HEADER_SIZE,
  MAX_RECORD_PAYLOAD,
  PREAMBLE_SIZE,
  RECORD_END,
  RECORD_STRING,
} from './format.js';
import { DeltaState, MAX_DELTA_ARRAY } from './delta.js';
import type { EventDef } from './schema.js';
import { EVENTS_BY_ID, PT_REGS_FIELDS } from './schema.js';
import type { Hex, TraceEvent } from './types.js';
import { hexOfHalves } from './u64.js';
import { decodeUtf8 } from './utf8.js';
import { ByteDecoder } from './varint.js';

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

  /** The next complete event, or undefined when more input is needed (or the trace ended). */
  next(): TraceEvent | undefined {
    for (;;) {
      switch (this.stage) {
        case 'preamble':
          if (!this.readPreamble()) return undefined;
          break;
        case 'header':
          if (!this.readHeader()) return undefined;
          break;
        case 'records': {
          const result = this.readRecord();
          if (result === null) return undefined;
          if (result !== undefined) return result;
          break;
        }
        case 'ended':
          if (this.available > 0) {
            throw new TraceFormatError('corrupt', this.offset, 'data follows the end record');
          }
          return undefined;
      }
    }
  }

  /** Declares the input complete: throws if the trace stopped early. */
  end(): void {
    if (this.stage === 'preamble' && this.available < 8) {
      const got = this.pending.subarray(this.pos);
      if (!got.every((b, i) => b === MAGIC[i])) throw this.badMagic(got);
    }
    if (this.next() !== undefined) throw new Error('TraceReader.end() called with unread events');
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

  /** null: need more input; undefined: a non-event record was consumed; else the event. */
  private readRecord(): TraceEvent | null | undefined {
    const start = this.pos;
    const type = this.peekVarU32(start, 'the record type');
    if (type < 0) return null;
    const length = this.peekVarU32(this.peekEnd, 'the record length');
    if (length < 0) return null;
    if (length > MAX_RECORD_PAYLOAD) {
      throw new TraceFormatError(
        'corrupt',
        this.base + start,
        `record length ${length} exceeds the ${MAX_RECORD_PAYLOAD}-byte limit`,
      );
    }
    const payload = this.peekEnd;
    if (this.pending.length - payload < length) return null;
    const d = new ByteDecoder(this.pending, payload, payload + length, this.base);
    this.pos = payload + length;
    if (type === RECORD_STRING) {
      this.strings.push(this.text(d.bytesOf(length, 'a string'), this.base + payload));
      return undefined;
    }
    if (type === RECORD_END) {
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
      return undefined;
    }
    const def = EVENTS_BY_ID.get(type);
    if (type >= 16) this.eventRecords++;
    if (!def) {
      if (this.options.strict) {
        throw new TraceFormatError(
          'unknown-record',
          this.base + start,
          `unknown record type ${type} (${length}-byte payload)`,
        );
      }
      this.skippedRecords++;
      return undefined;
    }
    return this.decodeEvent(def, d);
  }

  private text(bytes: Uint8Array, offset: number): string {
    try {
      return decodeUtf8(bytes);
    } catch {
      throw new TraceFormatError('corrupt', offset, 'string is not valid UTF-8');
    }
  }

  private decodeEvent(def: EventDef, d: ByteDecoder): TraceEvent {
    const tsAt = d.offset;
    const ts = this.lastTs + d.zigNumber('the timestamp delta');
    if (!Number.isSafeInteger(ts) || ts < 0) {
      throw new TraceFormatError('corrupt', tsAt, `timestamp ${ts} of ${def.name} is out of range`);
    }
    this.lastTs = ts;
    const event: Record<string, unknown> = { type: def.name, ts };
    const prev = this.delta.words(def.id);
    for (let index = 0; index < def.fields.length; index++) {
      const field = def.fields[index]!;
      const what = `${def.name}.${field.name}`;
      if (field.optional) {
        const at = d.offset;
        const present = d.u8(what);
        if (present === 0) continue;
        if (present !== 1)
          throw new TraceFormatError('corrupt', at, `presence byte of ${what} is ${present}`);
      }
      switch (field.kind) {
        case 'u8':
          event[field.name] = d.u8(what);
          break;
        case 'u32':
          event[field.name] = d.varU32(what);
          break;
        case 'i32': {
          const at = d.offset;
          const v = d.zigNumber(what);
          if (v < -0x80000000 || v > 0x7fffffff) {
            throw new TraceFormatError('corrupt', at, `${what} = ${v} does not fit in 32 bits`);
          }
          event[field.name] = v;
          break;
        }
        case 'bool': {
          const at = d.offset;
          const v = d.u8(what);
          if (v > 1) throw new TraceFormatError('corrupt', at, `${what} is ${v}, not a boolean`);
          event[field.name] = v === 1;
          break;
        }
        case 'u64':
        case 'i64':
          d.zigDelta64(prev, DeltaState.base(def.id, index), what);
          event[field.name] = hexOfHalves(d.hi, d.lo);
          break;
        case 'string': {
          const at = d.offset;
          const tag = d.varU32(what);
          const n = Math.floor(tag / 2);
          if (tag % 2 === 1) {
            event[field.name] = this.text(d.bytesOf(n, what), d.offset - n);
          } else {
            const s = this.strings[n];
            if (s === undefined)
              throw new TraceFormatError('corrupt', at, `${what} refers to undefined string ${n}`);
            event[field.name] = s;
          }
          break;
        }
        case 'u64[]': {
          const at = d.offset;
          const count = d.varU32(what);
          if (count > d.end - d.pos) {
            throw new TraceFormatError(
              'corrupt',
              at,
              `${what} claims ${count} values, more than the record holds`,
            );
          }
          const values: Hex[] = [];
          const base = DeltaState.base(def.id, index);
          for (let k = 0; k < count; k++) {
            if (k < MAX_DELTA_ARRAY) d.zigDelta64(prev, base + k, what);
            else d.zig64(what);
            values.push(hexOfHalves(d.hi, d.lo));
          }
          event[field.name] = values;
          break;
        }
        case 'pt_regs': {
          const at = d.offset;
          const mask = d.varU32(what);
          if (mask >= 1 << 21)
            throw new TraceFormatError('corrupt', at, `${what} change mask ${mask} has bits above 20`);
          const base = DeltaState.base(def.id, index);
          const regs: Record<string, Hex> = {};
          PT_REGS_FIELDS.forEach((name, k) => {
            if (mask & (1 << k)) d.zigDelta64(prev, base + k, `${what}.${name}`);
            regs[name] = hexOfHalves(prev[2 * (base + k) + 1]!, prev[2 * (base + k)]!);
          });
          event[field.name] = regs;
          break;
        }
      }
    }
    // Bytes left in the payload are fields a newer minor version appended: ignored.
    return event as TraceEvent;
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
  for (let e = reader.next(); e !== undefined; e = reader.next()) events.push(e);
  reader.end();
  return {
    version: reader.version!,
    header: reader.header!,
    events,
    skippedRecords: reader.skippedRecords,
  };
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
