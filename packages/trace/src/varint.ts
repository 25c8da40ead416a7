// Byte-level encoding primitives: LEB128 varints for 32-bit and 64-bit (as halves) values and
// zigzag for signed ones. The encoder grows its buffer; the decoder checks every bound and
// reports problems as TraceFormatError with the absolute file offset.
import { TraceFormatError } from './errors.js';

// The encoders write at a position of a byte array and return the position after what they
// wrote: a writer's hot path keeps the array and the position in locals, reserving room once
// per record, instead of a bounds check and a property update per byte. The caller guarantees
// the room (at most 5 bytes for a 32-bit varint, 10 for a 64-bit one, 3 per UTF-16 unit).

/** Unsigned LEB128 of a 32-bit value (1..5 bytes) at `pos`. */
export function putVarU32(b: Uint8Array, pos: number, v: number): number {
  // small enough to inline at every call site; the common one-byte case needs no loop
  if (v >= 0 && v < 0x80) {
    b[pos] = v;
    return pos + 1;
  }
  return putVarU32Long(b, pos, v);
}

function putVarU32Long(b: Uint8Array, pos: number, v: number): number {
  v >>>= 0;
  while (v >= 0x80) {
    b[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  b[pos++] = v;
  return pos;
}

/** Unsigned LEB128 of the 64-bit value hi:lo (1..10 bytes) at `pos`. */
export function putVar64(b: Uint8Array, pos: number, hi: number, lo: number): number {
  hi >>>= 0;
  lo >>>= 0;
  while (hi !== 0 || lo >= 0x80) {
    b[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi >>>= 7;
  }
  b[pos++] = lo;
  return pos;
}

/** Zigzag + LEB128 of the 64-bit two's complement value hi:lo at `pos`. */
export function putZig64(b: Uint8Array, pos: number, hi: number, lo: number): number {
  const sign = hi >> 31;
  return putVar64(b, pos, ((hi << 1) | (lo >>> 31)) ^ sign, (lo << 1) ^ sign);
}

/** Zigzag + LEB128 of a safe integer at `pos`. */
export function putZigNumber(b: Uint8Array, pos: number, v: number): number {
  // the usual case, a small timestamp delta: its zigzag fits in 31 bits
  if (v >= -0x40000000 && v < 0x40000000) return putVarU32(b, pos, v >= 0 ? v * 2 : -v * 2 - 1);
  return putZig64(b, pos, Math.floor(v / 4294967296) >>> 0, v >>> 0);
}

/** Zigzag + LEB128 of hi:lo minus the value in `prev` at `slot`, at `pos`; stores hi:lo there. */
export function putZigDelta64(
  b: Uint8Array,
  pos: number,
  hi: number,
  lo: number,
  prev: Uint32Array,
  slot: number,
): number {
  // Inlined at every call site: the usual case, a value that did not change or barely, is
  // one byte, the zigzag of -64..63; a wider delta takes the call.
  const s = 2 * slot;
  const d = (lo >>> 0) - prev[s]!;
  if (d >= -64 && d < 64 && hi >>> 0 === prev[s + 1]) {
    prev[s] = lo >>> 0;
    b[pos] = d >= 0 ? d * 2 : -d * 2 - 1;
    return pos + 1;
  }
  return putZigDelta64Long(b, pos, hi >>> 0, lo >>> 0, prev, s);
}

function putZigDelta64Long(
  b: Uint8Array,
  pos: number,
  hi: number,
  lo: number,
  prev: Uint32Array,
  s: number,
): number {
  const plo = prev[s]!;
  const phi = prev[s + 1]!;
  prev[s] = lo;
  prev[s + 1] = hi;
  return putZig64(b, pos, hi - phi - (lo < plo ? 1 : 0), lo - plo);
}

/**
 * `text` as UTF-8 (what TextEncoder writes: a lone surrogate becomes U+FFFD) at `pos`, encoded
 * in place so an inline string costs no allocation.
 */
export function putUtf8(b: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      b[pos++] = c;
      continue;
    }
    if (c < 0x800) {
      b[pos++] = 0xc0 | (c >> 6);
      b[pos++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c < 0xe000) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        b[pos++] = 0xf0 | (c >> 18);
        b[pos++] = 0x80 | ((c >> 12) & 0x3f);
        b[pos++] = 0x80 | ((c >> 6) & 0x3f);
        b[pos++] = 0x80 | (c & 0x3f);
        continue;
      }
      c = 0xfffd;
    }
    b[pos++] = 0xe0 | (c >> 12);
    b[pos++] = 0x80 | ((c >> 6) & 0x3f);
    b[pos++] = 0x80 | (c & 0x3f);
  }
  return pos;
}

/** A growable byte buffer with a write position. */
export class ByteEncoder {
  bytes: Uint8Array;
  pos = 0;

  constructor(capacity: number = 256) {
    this.bytes = new Uint8Array(capacity);
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
  }

  u8(v: number): void {
    this.ensure(1);
    this.bytes[this.pos++] = v;
  }

  /** Unsigned LEB128 of a 32-bit value (1..5 bytes). */
  varU32(v: number): void {
    this.ensure(5);
    this.pos = putVarU32(this.bytes, this.pos, v);
  }

  /** Unsigned LEB128 of the 64-bit value hi:lo (1..10 bytes). */
  var64(hi: number, lo: number): void {
    this.ensure(10);
    this.pos = putVar64(this.bytes, this.pos, hi, lo);
  }

  /** Zigzag + LEB128 of the 64-bit two's complement value hi:lo. */
  zig64(hi: number, lo: number): void {
    this.ensure(10);
    this.pos = putZig64(this.bytes, this.pos, hi, lo);
  }

  /** Zigzag + LEB128 of hi:lo minus the value in `prev` at `slot`; stores hi:lo there. */
  zigDelta64(hi: number, lo: number, prev: Uint32Array, slot: number): void {
    this.ensure(10);
    this.pos = putZigDelta64(this.bytes, this.pos, hi, lo, prev, slot);
  }

  /** Zigzag + LEB128 of a safe integer. */
  zigNumber(v: number): void {
    this.ensure(10);
    this.pos = putZigNumber(this.bytes, this.pos, v);
  }

  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.bytes.set(data, this.pos);
    this.pos += data.length;
  }

  /** `text` as UTF-8 (see putUtf8). */
  utf8(text: string): void {
    this.ensure(3 * text.length);
    this.pos = putUtf8(this.bytes, this.pos, text);
  }
}

/** Bytes of `text` in UTF-8 (as ByteEncoder.utf8 writes it). */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        n += 2; // 2 UTF-16 units, 4 bytes
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/** Adds the one-byte zigzag delta `z` (-64..63) to the 64-bit value at `slot` of `prev`. */
export function addDelta(prev: Uint32Array, slot: number, z: number): void {
  const s = 2 * slot;
  let lo = prev[s]! + (z & 1 ? -(z >>> 1) - 1 : z >>> 1);
  let hi = prev[s + 1]!;
  if (lo > 0xffffffff) {
    lo -= 4294967296;
    hi = (hi + 1) >>> 0;
  } else if (lo < 0) {
    lo += 4294967296;
    hi = (hi + 0xffffffff) >>> 0;
  }
  prev[s] = lo;
  prev[s + 1] = hi;
}

/** Reads primitives from a byte range; `base` is the file offset of bytes[0], for errors. */
export class ByteDecoder {
  bytes: Uint8Array;
  pos: number;
  end: number;
  base: number;
  /** Result halves of the last var64/zig64 read (no allocation per value). */
  hi = 0;
  lo = 0;

  constructor(bytes: Uint8Array, pos: number = 0, end: number = bytes.length, base: number = 0) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
    this.base = base;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  private short(what: string): TraceFormatError {
    return new TraceFormatError('corrupt', this.offset, `record payload ends inside ${what}`);
  }

  u8(what: string): number {
    if (this.pos >= this.end) throw this.short(what);
    return this.bytes[this.pos++]!;
  }

  varU32(what: string): number {
    // Fast path: up to 4 bytes (values below 2^28) with no bounds or width errors possible;
    // anything else, including every error, goes the careful way from the same position.
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    let v = 0;
    for (let shift = 0; shift < 28 && pos < end; shift += 7) {
      const b = bytes[pos++]!;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return v;
      }
    }
    return this.varU32Long(what);
  }

  private varU32Long(what: string): number {
    const start = this.offset;
    let result = 0;
    let scale = 1; // 2^shift, kept as a number: the result may not fit in 31 bits
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw this.short(what);
      const b = this.bytes[this.pos++]!;
      if (shift === 28 && b > 0x0f) {
        throw new TraceFormatError('corrupt', start, `varint for ${what} does not fit in 32 bits`);
      }
      result += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return result;
    }
    throw new TraceFormatError('corrupt', start, `varint for ${what} does not fit in 32 bits`);
  }

  /** Reads an unsigned LEB128 64-bit value into this.hi / this.lo. */
  var64(what: string): void {
    // Fast path as in varU32: values below 2^28.
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    let v = 0;
    for (let shift = 0; shift < 28 && pos < end; shift += 7) {
      const b = bytes[pos++]!;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.hi = 0;
        this.lo = v;
        return;
      }
    }
    this.var64Long(what);
  }

  private var64Long(what: string): void {
    const start = this.offset;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw this.short(what);
      const b = this.bytes[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) {
        lo |= bits << (7 * i);
      } else if (i === 4) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else if (i < 9) {
        hi |= bits << (7 * i - 32);
      } else if (bits > 1) {
        throw new TraceFormatError('corrupt', start, `varint for ${what} does not fit in 64 bits`);
      } else {
        hi |= bits << 31;
      }
      if (b < 0x80) {
        this.hi = hi >>> 0;
        this.lo = lo >>> 0;
        return;
      }
    }
    throw new TraceFormatError('corrupt', start, `varint for ${what} is longer than 10 bytes`);
  }

  /** Reads a zigzag 64-bit value into this.hi / this.lo (two's complement). */
  zig64(what: string): void {
    this.var64(what);
    const zhi = this.hi;
    const zlo = this.lo;
    const sign = -(zlo & 1);
    this.lo = (((zlo >>> 1) | (zhi << 31)) ^ sign) >>> 0;
    this.hi = ((zhi >>> 1) ^ sign) >>> 0;
  }

  /** Reads a zigzag delta, adds the value in `prev` at `slot`, stores the sum there and in hi/lo. */
  zigDelta64(prev: Uint32Array, slot: number, what: string): void {
    // Fast path: a one-byte delta (-64..63), the usual case for values that barely change.
    const pos = this.pos;
    if (pos < this.end) {
      const z = this.bytes[pos]!;
      if (z < 0x80) {
        this.pos = pos + 1;
        addDelta(prev, slot, z);
        this.lo = prev[2 * slot]!;
        this.hi = prev[2 * slot + 1]!;
        return;
      }
    }
    this.zig64(what);
    const lo = this.lo + prev[2 * slot]!;
    const hi = (this.hi + prev[2 * slot + 1]! + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    this.lo = lo >>> 0;
    this.hi = hi;
    prev[2 * slot] = this.lo;
    prev[2 * slot + 1] = hi;
  }

  /** Reads a zigzag value that must be a safe integer. */
  zigNumber(what: string): number {
    const start = this.offset;
    this.zig64(what);
    const hi = this.hi;
    if (hi < 0x200000) return hi * 4294967296 + this.lo;
    if (hi >= 0xffe00000) return (hi - 4294967296) * 4294967296 + this.lo;
    throw new TraceFormatError('corrupt', start, `${what} is not a safe integer`);
  }

  /** Steps over `length` bytes and returns the position where they start. */
  skip(length: number, what: string): number {
    if (length > this.end - this.pos) throw this.short(what);
    const start = this.pos;
    this.pos += length;
    return start;
  }

  bytesOf(length: number, what: string): Uint8Array {
    if (length > this.end - this.pos) throw this.short(what);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}
