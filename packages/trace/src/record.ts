// One decoded event held in flat typed arrays: what `TraceReader.nextRecord()` hands out. The
// reader refills the same record for every event, so reading allocates nothing per event;
// accessors read the fields in the form a consumer wants (numbers, 32-bit halves, strings,
// views) and `toEvent()` builds the object form (`TraceEvent`) when that is what is needed.
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
  MAX_FIELDS,
} from './layout.js';
import type { EventDef, EventName } from './schema.js';
import { EVENTS_BY_NAME } from './schema.js';
import type { Hex, TraceEvent, U64In } from './types.js';
import { ptRegsObject } from './pt-regs-object.js';
import { hexOfHalves, u64FromHalves } from './u64.js';

// Imported values used per event are copied into module constants: a loader that compiles
// imports to property getters (tsx does) would otherwise make every use a call.
const U8 = K_U8;
const U32 = K_U32;
const I32 = K_I32;
const BOOL = K_BOOL;
const U64_ARRAY = K_U64_ARRAY;
const U64 = K_U64;
const STRING = K_STRING;
const BYTES = K_BYTES;
const PT_REGS = K_PT_REGS;
const hex64 = hexOfHalves;
const u64Of = u64FromHalves;

const HEX_DIGITS = '0123456789abcdef';

/** Entries of a record's hex memo (a power of two). */
const HEX_MEMO = 1024;

/** Lowercase hex pairs of bytes[start, start+length), the jsonl form of a `bytes` field. */
export function bytesHex(
  bytes: Uint8Array,
  start: number = 0,
  length: number = bytes.length - start,
): string {
  let out = '';
  for (let i = start; i < start + length; i++) {
    const b = bytes[i]!;
    out += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
  }
  return out;
}

/** Index of `field` in the schema's field list of `event` (for the record accessors); throws if there is none. */
export function fieldIndex(event: EventName, field: string): number {
  const def = EVENTS_BY_NAME.get(event);
  const i = def ? def.fields.findIndex((f) => f.name === field) : -1;
  if (i < 0) throw new RangeError(`${event} has no field ${JSON.stringify(field)}`);
  return i;
}

/**
 * The current event of a TraceReader. Valid until the reader's next `nextRecord()` (or
 * `next()`): copy out what you keep, or call `toEvent()`. A field is named by its index in the
 * schema's field list (fastest; `record.index('ret')` finds it) or by its name.
 *
 * Accessors by kind: `u8`/`u32`/`i32` → `number()`; `bool` → `bool()` (`number()` gives 0/1);
 * `string` → `string()`; `u64`/`i64` → `hi()`/`lo()` (32-bit halves), `u64()` (number when
 * safe, else bigint) or `hex()`; `u64[]` and `pt_regs` → `length()` and `elementHi()`/
 * `elementLo()`/`element()`, or `words()`; `bytes` → `length()`, `byteAt()` or `bytes()`.
 * `has()` says whether an optional field is present (or whether the file's format version
 * had the field at all).
 */
export class TraceRecord {
  /** Schema entry of the event. */
  def!: EventDef;
  /** Event type name (`def.name`). */
  type!: EventName;
  /** Binary record type (`def.id`). */
  id = 0;
  /** Simulated time, ns. */
  ts = 0;
  /** @internal the layout the reader decoded with */
  layout!: EventLayout;
  /** @internal fields the file holds for this event (fields after it are absent) */
  fieldCount = 0;
  /** @internal per field: 1 when present */
  readonly present: Uint8Array = new Uint8Array(MAX_FIELDS);
  /** @internal per field: u8/u32/i32/bool value; element count of u64[]/bytes */
  readonly nums: Float64Array = new Float64Array(MAX_FIELDS);
  /** @internal per field: halves of a u64/i64 */
  readonly his: Uint32Array = new Uint32Array(MAX_FIELDS);
  readonly los: Uint32Array = new Uint32Array(MAX_FIELDS);
  /** @internal per field: string value */
  readonly strs: string[] = new Array<string>(MAX_FIELDS).fill('');
  /** @internal per field: first word in `words` (u64[], pt_regs) or first byte in `buf` (bytes) */
  readonly starts: Int32Array = new Int32Array(MAX_FIELDS);
  /** @internal values of u64[] and pt_regs fields as (lo, hi) word pairs */
  wordData: Uint32Array = new Uint32Array(128);
  /** @internal values of pt_regs fields (the reader's delta state for this event type) */
  regData: Uint32Array = new Uint32Array(0);
  /** @internal the buffer `bytes` fields point into */
  buf: Uint8Array = new Uint8Array(0);

  // The hex strings `value()` and `toEvent()` made last, direct-mapped by value. A trace is
  // delta-coded because consecutive events repeat most values (a syscall loop's pt_regs differ
  // in a register or two), so most lookups hit, and the events a reader returns share one
  // string per value instead of holding a fresh copy each: that garbage, not the formatting,
  // was most of the cost of object decoding.
  private readonly memoHi = new Uint32Array(HEX_MEMO);
  private readonly memoLo = new Uint32Array(HEX_MEMO);
  private readonly memoText: Hex[] = new Array<Hex>(HEX_MEMO).fill('0x0');

  private readonly memoized = (hi: number, lo: number): Hex => this.hexMemo(hi, lo);

  /** hi:lo as "0x…" hex, from the memo when it holds that value. */
  private hexMemo(hi: number, lo: number): Hex {
    const slot = (Math.imul(hi ^ lo, 0x9e3779b1) ^ lo) & (HEX_MEMO - 1);
    if (this.memoLo[slot] === lo && this.memoHi[slot] === hi) return this.memoText[slot]!;
    const text = hex64(hi, lo);
    this.memoHi[slot] = hi;
    this.memoLo[slot] = lo;
    this.memoText[slot] = text;
    return text;
  }

  /** @internal grows `wordData` to at least `size` words, keeping its contents */
  growWords(size: number): Uint32Array {
    const grown = new Uint32Array(Math.max(size, 2 * this.wordData.length));
    grown.set(this.wordData);
    this.wordData = grown;
    return grown;
  }

  /** Index of the field called `name` in this event's schema entry, or -1. */
  index(name: string): number {
    return this.layout.index.get(name) ?? -1;
  }

  private at(field: number | string): number {
    if (typeof field === 'number') return field;
    const i = this.layout.index.get(field);
    if (i === undefined) throw new RangeError(`${this.type} has no field ${JSON.stringify(field)}`);
    return i;
  }

  /** Whether the field is in this event: false for an absent optional field or one the file's version predates. */
  has(field: number | string): boolean {
    const i = this.at(field);
    return i < this.fieldCount && this.present[i] === 1;
  }

  /** A u8, u32, i32 or bool (0/1) field. */
  number(field: number | string): number {
    return this.nums[this.at(field)]!;
  }

  bool(field: number | string): boolean {
    return this.nums[this.at(field)] === 1;
  }

  string(field: number | string): string {
    return this.strs[this.at(field)]!;
  }

  /** High 32 bits of a u64/i64 field. */
  hi(field: number | string): number {
    return this.his[this.at(field)]!;
  }

  /** Low 32 bits of a u64/i64 field. */
  lo(field: number | string): number {
    return this.los[this.at(field)]!;
  }

  /** A u64/i64 field as a number when safe in the signed reading (addresses, errnos), else a bigint. */
  u64(field: number | string): U64In {
    const i = this.at(field);
    return u64Of(this.his[i]!, this.los[i]!);
  }

  /** A u64/i64 field as "0x…" hex. */
  hex(field: number | string): Hex {
    const i = this.at(field);
    return hex64(this.his[i]!, this.los[i]!);
  }

  /** Values of a u64[] field, 21 for pt_regs, bytes of a bytes field. */
  length(field: number | string): number {
    const i = this.at(field);
    return this.layout.kinds[i] === PT_REGS ? 21 : this.nums[i]!;
  }

  private dataOf(i: number): Uint32Array {
    return this.layout.kinds[i] === PT_REGS ? this.regData : this.wordData;
  }

  /** High half of value k of a u64[] or pt_regs field (pt_regs: k in PT_REGS_FIELDS order). */
  elementHi(field: number | string, k: number): number {
    const i = this.at(field);
    return this.dataOf(i)[this.starts[i]! + 2 * k + 1]!;
  }

  elementLo(field: number | string, k: number): number {
    const i = this.at(field);
    return this.dataOf(i)[this.starts[i]! + 2 * k]!;
  }

  element(field: number | string, k: number): U64In {
    const i = this.at(field);
    const data = this.dataOf(i);
    const w = this.starts[i]! + 2 * k;
    return u64Of(data[w + 1]!, data[w]!);
  }

  /** A u64[] or pt_regs field as U64Words (a view: valid until the next record). */
  words(field: number | string): Uint32Array {
    const i = this.at(field);
    const start = this.starts[i]!;
    return this.dataOf(i).subarray(start, start + 2 * this.length(i));
  }

  /** Byte k of a bytes field. */
  byteAt(field: number | string, k: number): number {
    return this.buf[this.starts[this.at(field)]! + k]!;
  }

  /** A bytes field (a view into the reader's input: valid until the next record). */
  bytes(field: number | string): Uint8Array {
    const i = this.at(field);
    const start = this.starts[i]!;
    return this.buf.subarray(start, start + this.nums[i]!);
  }

  /** The field as `toEvent()` would hold it (hex strings for 64-bit values); undefined when absent. */
  value(field: number | string): unknown {
    const i = this.at(field);
    if (i >= this.fieldCount || this.present[i] === 0) return undefined;
    switch (this.layout.kinds[i]) {
      case U8:
      case U32:
      case I32:
        return this.nums[i];
      case BOOL:
        return this.nums[i] === 1;
      case U64:
        return this.hexMemo(this.his[i]!, this.los[i]!);
      case STRING:
        return this.strs[i];
      case U64_ARRAY: {
        const out: Hex[] = [];
        const start = this.starts[i]!;
        for (let k = 0; k < this.nums[i]!; k++) {
          out.push(this.hexMemo(this.wordData[start + 2 * k + 1]!, this.wordData[start + 2 * k]!));
        }
        return out;
      }
      case BYTES:
        return bytesHex(this.buf, this.starts[i]!, this.nums[i]!);
      case PT_REGS:
        return ptRegsObject(this.regData, this.starts[i]!, this.memoized);
    }
    return undefined;
  }

  /** The event as an object (what `TraceReader.next()` returns): `type`, `ts`, then the fields present. */
  toEvent(): TraceEvent {
    const event: Record<string, unknown> = { type: this.type, ts: this.ts };
    const fields = this.def.fields;
    for (let i = 0; i < this.fieldCount; i++) {
      if (this.present[i] === 1) event[fields[i]!.name] = this.value(i);
    }
    return event as TraceEvent;
  }
}
