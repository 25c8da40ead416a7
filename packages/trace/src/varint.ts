// Byte-level encoding primitives: LEB128 varints for 32-bit and 64-bit (as halves) values and
// zigzag for signed ones. The encoder grows its buffer; the decoder checks every bound and
// reports problems as TraceFormatError with the absolute file offset.
import { TraceFormatError } from './errors.js';

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
    v >>>= 0;
    const b = this.bytes;
    while (v >= 0x80) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  /** Unsigned LEB128 of the 64-bit value hi:lo (1..10 bytes). */
  var64(hi: number, lo: number): void {
    this.ensure(10);
    hi >>>= 0;
    lo >>>= 0;
    const b = this.bytes;
    while (hi !== 0 || lo >= 0x80) {
      b[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
      hi >>>= 7;
    }
    b[this.pos++] = lo;
  }

  /** Zigzag + LEB128 of the 64-bit two's complement value hi:lo. */
  zig64(hi: number, lo: number): void {
    const sign = hi >> 31;
    this.var64(((hi << 1) | (lo >>> 31)) ^ sign, (lo << 1) ^ sign);
  }

  /** Zigzag + LEB128 of hi:lo minus the value in `prev` at `slot`; stores hi:lo there. */
  zigDelta64(hi: number, lo: number, prev: Uint32Array, slot: number): void {
    const plo = prev[2 * slot]!;
    const phi = prev[2 * slot + 1]!;
    lo >>>= 0;
    hi >>>= 0;
    prev[2 * slot] = lo;
    prev[2 * slot + 1] = hi;
    this.zig64(hi - phi - (lo < plo ? 1 : 0), lo - plo);
  }

  /** Zigzag + LEB128 of a safe integer. */
  zigNumber(v: number): void {
    this.zig64(Math.floor(v / 4294967296) >>> 0, v >>> 0);
  }

  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.bytes.set(data, this.pos);
    this.pos += data.length;
  }
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
    const start = this.offset;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw this.short(what);
      const b = this.bytes[this.pos++]!;
      if (shift === 28 && b > 0x0f) {
        throw new TraceFormatError('corrupt', start, `varint for ${what} does not fit in 32 bits`);
      }
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
    }
    throw new TraceFormatError('corrupt', start, `varint for ${what} does not fit in 32 bits`);
  }

  /** Reads an unsigned LEB128 64-bit value into this.hi / this.lo. */
  var64(what: string): void {
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

  bytesOf(length: number, what: string): Uint8Array {
    if (length > this.end - this.pos) throw this.short(what);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}
