// Encodes events into the binary trace format (FORMAT.md) and streams it in chunks to a
// callback. Memory stays bounded: one output buffer of about `chunkSize` bytes, one scratch
// buffer for the record being encoded, and the interned-string table (capped).
import type { TraceHeader } from './format.js';
import { FORMAT_MAJOR, FORMAT_MINOR, MAGIC, RECORD_END, RECORD_STRING } from './format.js';
import type { EventDef } from './schema.js';
import { DeltaState, MAX_DELTA_ARRAY } from './delta.js';
import { SchemaSink } from './sink.js';
import type { U64In, U64Words } from './types.js';
import { hiOf, loOf } from './u64.js';
import { encodeUtf8 } from './utf8.js';
import { ByteEncoder } from './varint.js';

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
  private readonly delta = new DeltaState();
  private lastTs = 0;
  private closed = false;
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
    const header = encodeUtf8(JSON.stringify(options.header ?? {}));
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

  record(event: EventDef, values: readonly unknown[]): void {
    if (this.closed) throw new Error('BinaryTraceWriter: event recorded after close()');
    const p = this.payload;
    p.pos = 0;
    const ts = values[0] as number;
    p.zigNumber(ts - this.lastTs);
    this.lastTs = ts;
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
          p.zigDelta64(hiOf(v), loOf(v), prev, DeltaState.base(event.id, i));
          break;
        }
        case 'string':
          this.string(value as string, field.intern === true);
          break;
        case 'u64[]': {
          const words = value as U64Words;
          const count = words.length >>> 1;
          p.varU32(count);
          const base = DeltaState.base(event.id, i);
          for (let k = 0; k < count; k++) {
            if (k < MAX_DELTA_ARRAY) p.zigDelta64(words[2 * k + 1]!, words[2 * k]!, prev, base + k);
            else p.zig64(words[2 * k + 1]!, words[2 * k]!);
          }
          break;
        }
        case 'pt_regs': {
          // Bit mask of the fields that differ from the previous event's, then their deltas.
          const words = value as U64Words;
          const base = 2 * DeltaState.base(event.id, i);
          let mask = 0;
          for (let k = 0; k < 21; k++) {
            if (
              (words[2 * k] ?? 0) >>> 0 !== prev[base + 2 * k] ||
              (words[2 * k + 1] ?? 0) >>> 0 !== prev[base + 2 * k + 1]
            ) {
              mask |= 1 << k;
            }
          }
          p.varU32(mask);
          for (let k = 0; k < 21; k++) {
            if (mask & (1 << k)) p.zigDelta64(words[2 * k + 1] ?? 0, words[2 * k] ?? 0, prev, base / 2 + k);
          }
          break;
        }
      }
    }
    this.writeRecord(event.id, p.bytes, p.pos);
    this.eventCount++;
    if (this.out.pos >= this.chunkSize) this.flush();
  }

  private string(text: string, intern: boolean): void {
    const p = this.payload;
    let id = this.strings.get(text);
    if (id === undefined && intern && this.strings.size < this.maxInterned) {
      id = this.strings.size;
      this.strings.set(text, id);
      const bytes = encodeUtf8(text);
      this.writeRecord(RECORD_STRING, bytes, bytes.length);
    }
    if (id !== undefined) {
      p.varU32(id * 2);
      return;
    }
    const bytes = encodeUtf8(text);
    p.varU32(bytes.length * 2 + 1);
    p.raw(bytes);
  }

  private writeRecord(type: number, bytes: Uint8Array, length: number): void {
    const out = this.out;
    out.varU32(type);
    out.varU32(length);
    out.ensure(length);
    out.bytes.set(bytes.subarray(0, length), out.pos);
    out.pos += length;
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
