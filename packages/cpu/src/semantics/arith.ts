/**
 * 64-bit arithmetic on 32-bit halves (int32), without BigInt.
 * Results that need two halves return the low half and leave the high half in `out.hi`.
 */
const TWO32 = 4294967296;

export const out = { hi: 0, w2: 0, w3: 0 };

/** Value mask by operand size in bytes: 8 and 16 bits are masked; 32-bit halves are int32 (-1). */
export const SIZE_MASK: readonly number[] = [0, 0xff, 0xffff, 0, -1, 0, 0, 0, -1];

/**
 * a + b at `size` bytes, operands already masked to the size: returns the low part (int32
 * for 4 and 8, masked below) and leaves the high half in `out.hi` (0 below 8 bytes).
 */
export function addSized(size: number, a: number, aHi: number, b: number, bHi: number): number {
  if (size === 8) {
    const r = (a + b) | 0;
    out.hi = (aHi + bHi + (r >>> 0 < a >>> 0 ? 1 : 0)) | 0;
    return r;
  }
  out.hi = 0;
  return size === 4 ? (a + b) | 0 : (a + b) & SIZE_MASK[size]!;
}

/** a − b at `size` bytes, as `addSized`. */
export function subSized(size: number, a: number, aHi: number, b: number, bHi: number): number {
  if (size === 8) {
    out.hi = (aHi - bHi - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
    return (a - b) | 0;
  }
  out.hi = 0;
  return size === 4 ? (a - b) | 0 : (a - b) & SIZE_MASK[size]!;
}

/** Unsigned 32 × 32 → 64: returns the low half (int32), `out.hi` the high half. */
export function umul32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  out.hi = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
  return ((mid << 16) | (p00 & 0xffff)) | 0;
}

/**
 * Unsigned 64 × 64 → 128: returns word 0 (int32); words 1..3 in `out.hi`, `out.w2`, `out.w3`.
 */
export function umul64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  const w0 = umul32(aLo, bLo);
  let w1 = out.hi >>> 0;
  let lo = umul32(aLo, bHi);
  let w2 = out.hi >>> 0;
  w1 += lo >>> 0;
  lo = umul32(aHi, bLo);
  w2 += out.hi >>> 0;
  w1 += lo >>> 0;
  lo = umul32(aHi, bHi);
  let w3 = out.hi >>> 0;
  w2 += lo >>> 0;
  // propagate carries (each wN is < 2^35 here, exact in a double)
  const c1 = Math.floor(w1 / TWO32);
  w2 += c1;
  const c2 = Math.floor(w2 / TWO32);
  w3 += c2;
  out.hi = w1 | 0;
  out.w2 = w2 | 0;
  out.w3 = w3 | 0;
  return w0;
}

/** Shift a 64-bit value left by 0..63. */
export function shl64(lo: number, hi: number, c: number): number {
  if (c === 0) {
    out.hi = hi;
    return lo;
  }
  if (c < 32) {
    out.hi = (hi << c) | (lo >>> (32 - c));
    return lo << c;
  }
  out.hi = lo << (c - 32);
  return 0;
}

/** Logical shift right of a 64-bit value by 0..63. */
export function shr64(lo: number, hi: number, c: number): number {
  if (c === 0) {
    out.hi = hi;
    return lo;
  }
  if (c < 32) {
    out.hi = hi >>> c;
    return (lo >>> c) | (hi << (32 - c));
  }
  out.hi = 0;
  return hi >>> (c - 32);
}

/** Arithmetic shift right of a 64-bit value by 0..63. */
export function sar64(lo: number, hi: number, c: number): number {
  if (c === 0) {
    out.hi = hi;
    return lo;
  }
  if (c < 32) {
    out.hi = hi >> c;
    return (lo >>> c) | (hi << (32 - c));
  }
  out.hi = hi >> 31;
  return hi >> (c - 32);
}

/** Bit `n` (0..63) of a 64-bit value. */
export function bit64(lo: number, hi: number, n: number): number {
  return n < 32 ? (lo >>> n) & 1 : (hi >>> (n - 32)) & 1;
}

export function toBigInt(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function fromBigInt(v: bigint): number {
  out.hi = Number(BigInt.asIntN(32, v >> 32n));
  return Number(BigInt.asIntN(32, v));
}
