// CTF 1.8 export (https://diamon.org/ctf/v1.8.3/): a trace directory with a TSDL `metadata`
// file generated from EVENT_SCHEMA and one binary stream file per CPU (`stream_0`, ...), read
// by babeltrace2 and Trace Compass. Events stream through: each CPU keeps one packet of at
// most `packetSize` bytes in memory and writes it when full.
import type { TraceHeader } from '../format.js';
import type { EventDef, FieldDef } from '../schema.js';
import { EVENT_SCHEMA, EVENTS_BY_NAME, PT_REGS_FIELDS } from '../schema.js';
import type { TraceRecord } from '../record.js';
import type { TraceEvent } from '../types.js';
import { encodeUtf8 } from '../utf8.js';

/** Where the exporter writes one file of the trace directory. */
export interface CtfFile {
  write(chunk: Uint8Array | string): void;
  close(): void;
}

/** Opens `name` ("metadata", "stream_0", ...) inside the output directory for writing. */
export type CtfOpenFile = (name: string) => CtfFile;

export interface CtfExportOptions {
  /**
   * The trace header: its keys become the TSDL \`env\` block. The metadata is written last, so
   * this may be a function read then (e.g. returning what \`readTraceStream\`'s onHeader saw).
   */
  header?: TraceHeader | (() => TraceHeader | undefined);
  /** Target packet size in bytes (default 64 KiB); a packet holding one huge event may be larger. */
  packetSize?: number;
}

/** Packet header magic of CTF 1.8. */
export const CTF_MAGIC = 0xc1fc1fc1;
/** Name of the CTF clock class (simulated time, ns). */
export const CTF_CLOCK_NAME = 'legosim_clock';

// Fixed parts of a packet (an event header is id u16, timestamp u64): header (magic u32, stream_id u32, stream_instance_id u64), then
// context (timestamp_begin, timestamp_end, content_size, packet_size, packet_seq_num: u64,
// cpu_id u32). All integers are byte-aligned, little-endian.
const PACKET_HEADER_SIZE = 16;
const PACKET_CONTEXT_SIZE = 44;
const PACKET_PREAMBLE = PACKET_HEADER_SIZE + PACKET_CONTEXT_SIZE;

const TWO32 = 4294967296;

function tsdlString(text: string): string {
  // TSDL string literals are C-like; keep the metadata plain ASCII.
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else out += '?';
  }
  return `"${out}"`;
}

function tsdlIdentifier(text: string): string {
  const id = text.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}

/** The TSDL declaration of one schema field (inside an event's `fields` struct). */
function fieldDeclaration(field: FieldDef): string[] {
  let decl: string[];
  switch (field.kind) {
    case 'u8':
    case 'bool':
      decl = [`uint8_t ${field.name};`];
      break;
    case 'u32':
      decl = [`uint32_t ${field.name};`];
      break;
    case 'i32':
      decl = [`int32_t ${field.name};`];
      break;
    case 'u64':
    case 'i64':
      decl = [`xuint64_t ${field.name};`];
      break;
    case 'string':
      decl = [`string ${field.name};`];
      break;
    case 'u64[]':
      decl = [`uint32_t _${field.name}_length;`, `xuint64_t ${field.name}[_${field.name}_length];`];
      break;
    case 'bytes':
      decl = [`uint32_t _${field.name}_length;`, `uint8_t ${field.name}[_${field.name}_length];`];
      break;
    case 'pt_regs':
      decl = [`struct pt_regs ${field.name};`];
      break;
  }
  if (!field.optional) return decl;
  // An optional field: a tag (absent/present), then a variant selected by it.
  const value = decl[decl.length - 1]!.replace(` ${field.name}`, ' present');
  return [
    `enum presence _${field.name}_tag;`,
    ...decl.slice(0, -1),
    `variant <_${field.name}_tag> { struct { } absent; ${value} } ${field.name};`,
  ];
}

function eventDeclaration(def: EventDef): string {
  const fields = def.fields.flatMap(fieldDeclaration).map((line) => `\t\t${line}`);
  return `/* ${def.doc.replace(/\*\//g, '* /')} */
event {
\tname = ${def.name};
\tid = ${def.id};
\tstream_id = 0;
\tfields := struct {
${fields.join('\n')}
\t};
};
`;
}

function envEntries(header: TraceHeader): string[] {
  const lines = ['tracer_name = "legosim";', 'trace_format = "legosim CTF export 1.0";'];
  const seen = new Set(['tracer_name', 'trace_format']);
  for (const [key, value] of Object.entries(header)) {
    const name = tsdlIdentifier(key);
    if (seen.has(name) || value === undefined) continue;
    seen.add(name);
    if (typeof value === 'number' && Number.isSafeInteger(value)) lines.push(`${name} = ${value};`);
    else if (typeof value === 'string') lines.push(`${name} = ${tsdlString(value)};`);
    else lines.push(`${name} = ${tsdlString(JSON.stringify(value))};`);
  }
  return lines;
}

/** The TSDL metadata of a legosim CTF trace: generated from EVENT_SCHEMA and the trace header. */
export function ctfMetadata(header: TraceHeader = {}): string {
  const regs = PT_REGS_FIELDS.map((name) => `\txuint64_t ${name};`).join('\n');
  return `/* CTF 1.8 */
/* legosim trace, exported by @legosim/trace. One event class per schema event type. */

typealias integer { size = 8; align = 8; signed = false; } := uint8_t;
typealias integer { size = 16; align = 8; signed = false; } := uint16_t;
typealias integer { size = 32; align = 8; signed = false; } := uint32_t;
typealias integer { size = 32; align = 8; signed = true; } := int32_t;
typealias integer { size = 64; align = 8; signed = false; } := uint64_t;
/* 64-bit values that the jsonl export prints as 0x hex */
typealias integer { size = 64; align = 8; signed = false; base = 16; } := xuint64_t;

enum presence : uint8_t { absent = 0, present = 1 };

/* struct pt_regs, arch/x86/include/asm/ptrace.h order */
struct pt_regs {
${regs}
};

trace {
\tmajor = 1;
\tminor = 8;
\tbyte_order = le;
\tpacket.header := struct {
\t\tuint32_t magic;
\t\tuint32_t stream_id;
\t\tuint64_t stream_instance_id;
\t};
};

env {
${envEntries(header)
  .map((line) => `\t${line}`)
  .join('\n')}
};

clock {
\tname = ${CTF_CLOCK_NAME};
\tdescription = "legosim simulated time (ns)";
\tfreq = 1000000000;
\tprecision = 0;
\toffset_s = 0;
\toffset = 0;
\tabsolute = false;
};

typealias integer {
\tsize = 64; align = 8; signed = false;
\tmap = clock.${CTF_CLOCK_NAME}.value;
} := clock_ns_t;

stream {
\tid = 0;
\tpacket.context := struct {
\t\tclock_ns_t timestamp_begin;
\t\tclock_ns_t timestamp_end;
\t\tuint64_t content_size;
\t\tuint64_t packet_size;
\t\tuint64_t packet_seq_num;
\t\tuint32_t cpu_id;
\t};
\tevent.header := struct {
\t\tuint16_t id;
\t\tclock_ns_t timestamp;
\t};
};

${EVENT_SCHEMA.map(eventDeclaration).join('\n')}`;
}

/** A growable little-endian byte buffer. */
class Bytes {
  buf = new Uint8Array(1024);
  view = new DataView(this.buf.buffer);
  length = 0;

  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }
  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }
  halves(hi: number, lo: number): void {
    this.reserve(8);
    this.view.setUint32(this.length, lo >>> 0, true);
    this.view.setUint32(this.length + 4, hi >>> 0, true);
    this.length += 8;
  }
  /** A non-negative safe integer as u64. */
  u64n(v: number): void {
    this.halves(Math.floor(v / TWO32), v % TWO32);
  }
  /** A "0x…" hex string as u64. */
  hex(text: string): void {
    const digits = text.slice(2);
    const split = Math.max(0, digits.length - 8);
    this.halves(
      split > 0 ? Number.parseInt(digits.slice(0, split), 16) : 0,
      Number.parseInt(digits.slice(split), 16),
    );
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
}

function encodeField(out: Bytes, field: FieldDef, value: unknown): void {
  if (field.optional) {
    out.u8(value === undefined ? 0 : 1);
    if (value === undefined) return;
  }
  switch (field.kind) {
    case 'u8':
      out.u8(value as number);
      break;
    case 'bool':
      out.u8(value ? 1 : 0);
      break;
    case 'u32':
    case 'i32':
      out.u32(value as number);
      break;
    case 'u64':
    case 'i64':
      out.hex(value as string);
      break;
    case 'string':
      // a CTF string ends at its first NUL
      out.bytes(encodeUtf8((value as string).replace(/\0/g, '\ufffd')));
      out.u8(0);
      break;
    case 'u64[]': {
      const values = value as string[];
      out.u32(values.length);
      for (const v of values) out.hex(v);
      break;
    }
    case 'bytes': {
      // the object form is hex pairs ("0f05")
      const hex = value as string;
      out.u32(hex.length >>> 1);
      for (let i = 0; i + 1 < hex.length; i += 2) out.u8(Number.parseInt(hex.slice(i, i + 2), 16));
      break;
    }
    case 'pt_regs': {
      const regs = value as Record<string, string>;
      for (const name of PT_REGS_FIELDS) out.hex(regs[name] ?? '0x0');
      break;
    }
  }
}

/** One CPU's stream file and the packet being filled. */
class CtfStream {
  readonly packet = new Bytes();
  readonly file: CtfFile;
  readonly cpu: number;
  seq = 0;
  events = 0;
  beginTs = -1;
  lastTs = 0;

  constructor(file: CtfFile, cpu: number) {
    this.file = file;
    this.cpu = cpu;
    this.packet.reserve(PACKET_PREAMBLE);
    this.packet.length = PACKET_PREAMBLE;
  }

  /** Writes the current packet (even an empty one when `force`) and starts a new one. */
  flush(force = false): void {
    if (this.events === 0 && !force) return;
    const p = this.packet;
    const begin = this.beginTs < 0 ? this.lastTs : this.beginTs;
    const bits = p.length * 8;
    const at = p.length;
    p.length = 0;
    p.u32(CTF_MAGIC);
    p.u32(0);
    p.u64n(this.cpu);
    p.u64n(begin);
    p.u64n(this.lastTs);
    p.u64n(bits); // content_size
    p.u64n(bits); // packet_size
    p.u64n(this.seq);
    p.u32(this.cpu);
    p.length = at;
    this.file.write(p.buf.slice(0, at));
    this.seq++;
    this.events = 0;
    this.beginTs = -1;
    p.length = PACKET_PREAMBLE;
  }
}

/**
 * Streams decoded events into a CTF 1.8 trace directory. Call `event` for each event in trace
 * order and `end` once: it writes the last packets, closes the stream files and writes the
 * metadata. Timestamps within a CPU's stream must not decrease in CTF: an event recorded earlier
 * than its CPU's previous event is given that event's timestamp.
 */
export class CtfExporter {
  private readonly open: CtfOpenFile;
  private readonly packetSize: number;
  private readonly streams = new Map<number, CtfStream>();
  private readonly scratch = new Bytes();
  private header: TraceHeader | (() => TraceHeader | undefined);
  /** Events written. */
  count = 0;

  constructor(open: CtfOpenFile, options: CtfExportOptions = {}) {
    this.open = open;
    this.header = options.header ?? {};
    this.packetSize = Math.max(1024, options.packetSize ?? 65536);
  }

  setHeader(header: TraceHeader): void {
    this.header = header;
  }

  private stream(cpu: number): CtfStream {
    let s = this.streams.get(cpu);
    if (!s) {
      s = new CtfStream(this.open(`stream_${cpu}`), cpu);
      this.streams.set(cpu, s);
    }
    return s;
  }

  event(event: TraceEvent): void {
    const def = EVENTS_BY_NAME.get(event.type);
    if (!def) throw new Error(`unknown trace event type ${JSON.stringify(event.type)}`);
    const record = event as unknown as Record<string, unknown>;
    const s = this.stream(event.cpu);
    const ts = Math.max(event.ts, s.lastTs);
    const e = this.scratch;
    e.length = 0;
    e.u16(def.id);
    e.u64n(ts);
    for (const field of def.fields) encodeField(e, field, record[field.name]);
    this.append(s, e, ts);
  }

  /** Adds one event read as a record (TraceReader.nextRecord, forEachTraceRecord): encoded straight from its fields. */
  record(r: TraceRecord): void {
    const s = this.stream(r.number(0)); // every event's first field is its cpu
    const ts = Math.max(r.ts, s.lastTs);
    const e = this.scratch;
    e.length = 0;
    e.u16(r.id);
    e.u64n(ts);
    const fields = r.def.fields;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const present = r.has(i);
      if (field.optional) {
        e.u8(present ? 1 : 0);
        if (!present) continue;
      }
      switch (field.kind) {
        case 'u8':
        case 'bool':
          e.u8(r.number(i));
          break;
        case 'u32':
        case 'i32':
          e.u32(r.number(i));
          break;
        case 'u64':
        case 'i64':
          e.halves(r.hi(i), r.lo(i));
          break;
        case 'string':
          e.bytes(encodeUtf8(r.string(i).replace(/\0/g, '\ufffd')));
          e.u8(0);
          break;
        case 'u64[]': {
          const n = r.length(i);
          e.u32(n);
          for (let k = 0; k < n; k++) e.halves(r.elementHi(i, k), r.elementLo(i, k));
          break;
        }
        case 'bytes': {
          const n = r.length(i);
          e.u32(n);
          for (let k = 0; k < n; k++) e.u8(r.byteAt(i, k));
          break;
        }
        case 'pt_regs':
          for (let k = 0; k < 21; k++) e.halves(r.elementHi(i, k), r.elementLo(i, k));
          break;
      }
    }
    this.append(s, e, ts);
  }

  private append(s: CtfStream, e: Bytes, ts: number): void {
    if (s.events > 0 && s.packet.length + e.length > this.packetSize) s.flush();
    s.packet.bytes(e.buf.subarray(0, e.length));
    if (s.beginTs < 0) s.beginTs = ts;
    s.lastTs = ts;
    s.events++;
    this.count++;
  }

  /** Finishes the trace: last packets, stream files closed, `metadata` written. */
  end(): void {
    if (this.streams.size === 0) this.stream(0).flush(true);
    for (const s of this.streams.values()) {
      s.flush();
      s.file.close();
    }
    const metadata = this.open('metadata');
    const header = typeof this.header === 'function' ? this.header() : this.header;
    metadata.write(ctfMetadata(header ?? {}));
    metadata.close();
  }
}

/**
 * Exports `events` (e.g. `readTraceStream(chunks, { onHeader: (h) => exporter.setHeader(h) })`)
 * as a CTF 1.8 trace directory whose files `open` creates. Returns the number of events written.
 */
export async function exportCtf(
  events: AsyncIterable<TraceEvent> | Iterable<TraceEvent>,
  open: CtfOpenFile,
  options: CtfExportOptions = {},
): Promise<number> {
  const exporter = new CtfExporter(open, options);
  for await (const event of events) exporter.event(event);
  exporter.end();
  return exporter.count;
}
