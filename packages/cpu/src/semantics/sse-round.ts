/**
 * MXCSR rounding for SSE arithmetic. JS arithmetic rounds to nearest-even, which is the
 * MXCSR default Linux sets; for the directed modes (MXCSR.RC = down, up, toward zero) the
 * handlers take the nearest result r and the sign of the exact error (exact − r), then step
 * r by one ulp in the right direction (IEEE 754 §4.3: a directed result is one of the two
 * neighbours of the exact value, and the nearest result is one of them).
 *
 * The error signs are exact, with plain doubles and no BigInt: TwoSum for addition;
 * for multiplication, division and square root the operands are split into integer
 * significands and powers of two, the significand product is formed exactly as a
 * double-double (Dekker's TwoProduct), and the comparison happens at a scale where nothing
 * overflows or underflows.
 */

export const enum Rc {
  Nearest = 0,
  Down = 1,
  Up = 2,
  Zero = 3,
}

/** MXCSR.RC (bits 13-14). */
export const MXCSR_RC_SHIFT = 13;
export const MXCSR_RC_MASK = 0x6000;

const f64 = new Float64Array(1);
const i64 = new Int32Array(f64.buffer); // [0] low half, [1] high half (little-endian)
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

const TWO32 = 4294967296;

/** 2^n for -1022 ≤ n ≤ 1023, built from the bit pattern so it is exact. */
export function pow2(n: number): number {
  i64[0] = 0;
  i64[1] = (n + 1023) << 20;
  return f64[0]!;
}

/** The next double toward +∞ (nextUp of IEEE 754); NaN and +∞ map to themselves. */
export function nextUp64(x: number): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  const lo = i64[0]! >>> 0;
  if (x > 0) {
    // magnitude + 1 ulp
    if (lo === 0xffffffff) {
      i64[0] = 0;
      i64[1] = i64[1]! + 1;
    } else i64[0] = lo + 1;
  } else if (lo === 0) {
    // magnitude − 1 ulp
    i64[0] = -1;
    i64[1] = i64[1]! - 1;
  } else i64[0] = lo - 1;
  return f64[0]!;
}

export function nextDown64(x: number): number {
  return -nextUp64(-x);
}

/** The next float toward +∞, for a value that is already a float. */
export function nextUp32(x: number): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x === 0) return 1.401298464324817e-45;
  f32[0] = x;
  i32[0] = x > 0 ? i32[0]! + 1 : i32[0]! - 1;
  return f32[0]!;
}

export function nextDown32(x: number): number {
  return -nextUp32(-x);
}

/** Steps a nearest-rounded result r toward the exact value as rounding mode `rc` asks; `err` is sign(exact − r). */
export function directed64(r: number, err: number, rc: number): number {
  if (err === 0) return r;
  if (rc === Rc.Down) return err < 0 ? nextDown64(r) : r;
  if (rc === Rc.Up) return err > 0 ? nextUp64(r) : r;
  if (rc === Rc.Zero) {
    if (r > 0 && err < 0) return nextDown64(r);
    if (r < 0 && err > 0) return nextUp64(r);
  }
  return r;
}

/**
 * Rounds r64 (a double with exact-error sign `err`) to float in mode `rc`. Rounding the
 * nearest double to float is itself correct in nearest mode (53 ≥ 2·24 + 2 bits, so double
 * rounding is innocuous for +, −, ×, ÷ and √ of floats); for directed modes, the float
 * neighbour is chosen by sign(r64 − r32), or by `err` when r64 is already a float.
 */
export function directed32(r64: number, err: number, rc: number): number {
  const r32 = Math.fround(r64);
  if (rc === Rc.Nearest) return r32;
  if (r32 !== r64) err = r64 > r32 ? 1 : -1; // also catches a float overflow to ±∞
  if (err === 0) return r32;
  if (rc === Rc.Down) return err < 0 ? nextDown32(r32) : r32;
  if (rc === Rc.Up) return err > 0 ? nextUp32(r32) : r32;
  if (r32 > 0 && err < 0) return nextDown32(r32);
  if (r32 < 0 && err > 0) return nextUp32(r32);
  return r32;
}

/**
 * Round-to-odd of a nearest result (r, err): the one of r's neighbours with an odd last
 * significand bit when r is inexact. A second rounding of a round-to-odd double to float is
 * correct in every mode (used where the first rounding is not innocuous: int64 → float).
 */
export function toOdd64(r: number, err: number): number {
  if (err === 0) return r;
  f64[0] = r;
  if ((i64[0]! & 1) === 1) return r;
  return err > 0 ? nextUp64(r) : nextDown64(r);
}

// ---------------------------------------------------------------- exact error signs

/** Split of |x| = dm × 2^de with dm an integer below 2^53 (subnormals included). */
let dm = 0;
let de = 0;

function decompose(x: number): void {
  f64[0] = x;
  const hi = i64[1]!;
  const e = (hi >>> 20) & 0x7ff;
  const m = (hi & 0xfffff) * TWO32 + (i64[0]! >>> 0);
  if (e === 0) {
    dm = m;
    de = -1074;
  } else {
    dm = m + 4503599627370496; // 2^52, the implicit bit
    de = e - 1075;
  }
}

const SPLIT = 134217729; // 2^27 + 1

/** The exact error a·b − fl(a·b) of Dekker's TwoProduct, for integer a, b below 2^53 (no over- or underflow). */
function twoProductError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

function sign(v: number): number {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/**
 * sign(A − M) for a double A and M = p + e, where p is M rounded to nearest: if A ≠ p, A is
 * at least a whole spacing from p while M is within half a spacing, so p decides.
 */
function compare(A: number, p: number, e: number): number {
  return A !== p ? sign(A - p) : sign(-e);
}

/** sign(exact − r) for r = fl(a + b). */
export function addError(a: number, b: number, r: number): number {
  if (r === Number.POSITIVE_INFINITY || r === Number.NEGATIVE_INFINITY) {
    if (a === r || b === r) return 0; // an infinite operand: exact
    return r > 0 ? -1 : 1; // overflow: the exact sum is finite
  }
  // Knuth's TwoSum: exact for every finite a, b whose sum does not overflow
  const bb = r - a;
  return sign(a - (r - bb) + (b - bb));
}

/** sign(exact − r) for r = fl(a × b). */
export function mulError(a: number, b: number, r: number): number {
  if (a === 0 || b === 0 || a - a !== 0 || b - b !== 0) return 0; // zero or infinite operand: exact
  const s = (a < 0) !== (b < 0) ? -1 : 1;
  if (r - r !== 0) return -s; // overflow
  if (r === 0) return s; // underflow to zero
  decompose(a);
  const ma = dm;
  const ea = de;
  decompose(b);
  const mb = dm;
  const k = ea + de;
  const p = ma * mb;
  const e = twoProductError(ma, mb, p);
  decompose(r);
  // |r| / 2^k, exact: r is within a factor of two of ma·mb × 2^k, so dm × 2^(de−k) stays normal
  const R = dm * pow2(de - k);
  const c = compare(R, p, e);
  return c === 0 ? 0 : -s * c;
}

/** sign(exact − q) for q = fl(a / b). */
export function divError(a: number, b: number, q: number): number {
  if (a === 0 || b === 0 || a - a !== 0 || b - b !== 0) return 0; // exact or special
  const s = (a < 0) !== (b < 0) ? -1 : 1;
  if (q - q !== 0) return -s; // overflow
  if (q === 0) return s; // underflow to zero
  // sign(|a|/|b| − |q|) = sign(|a| − |q|·|b|)
  decompose(a);
  const ma = dm;
  const ea = de;
  decompose(b);
  const mb = dm;
  const eb = de;
  decompose(q);
  const p = dm * mb;
  const e = twoProductError(dm, mb, p);
  const A = ma * pow2(ea - de - eb);
  const c = compare(A, p, e);
  return c === 0 ? 0 : s * c;
}

/** sign(exact − q) for q = fl(√a), a > 0 finite. */
export function sqrtError(a: number, q: number): number {
  if (a === 0 || a - a !== 0 || a < 0) return 0;
  decompose(a);
  const ma = dm;
  const ea = de;
  decompose(q);
  const p = dm * dm;
  const e = twoProductError(dm, dm, p);
  const A = ma * pow2(ea - 2 * de);
  return compare(A, p, e);
}

/** Rounds a double to an integer-valued double in mode `rc` (CVTSD2SI, CVTPS2DQ, ...). */
export function roundToInteger(v: number, rc: number): number {
  switch (rc) {
    case Rc.Down:
      return Math.floor(v);
    case Rc.Up:
      return Math.ceil(v);
    case Rc.Zero:
      return Math.trunc(v);
    default: {
      const f = Math.floor(v);
      const diff = v - f;
      if (diff < 0.5) return f;
      if (diff > 0.5) return f + 1;
      return f % 2 === 0 ? f : f + 1;
    }
  }
}

// ---------------------------------------------------------------- DAZ and FTZ

/** MXCSR.DAZ (bit 6): denormal source operands are read as zeros of the same sign. */
export const MXCSR_DAZ = 0x40;
/** MXCSR.FTZ (bit 15): with underflow masked, tiny results are written as zeros of the same sign. */
export const MXCSR_FTZ = 0x8000;

const DBL_MIN = 2.2250738585072014e-308;
const FLT_MIN = 1.1754943508222875e-38;

/** A denormal double as the signed zero DAZ reads (or FTZ writes); other values unchanged. */
export function flush64(v: number): number {
  return v !== 0 && v < DBL_MIN && v > -DBL_MIN ? (v < 0 ? -0 : 0) : v;
}

/** The same for a float-valued number. */
export function flush32(v: number): number {
  return v !== 0 && v < FLT_MIN && v > -FLT_MIN ? (v < 0 ? -0 : 0) : v;
}
