/**
 * F2XM1, FYL2X and FYL2XP1 in extended precision: the exact function value is approximated
 * in BigInt fixed point with at least ~190 bits beyond the result's 64, then rounded once
 * to the precision and rounding control of the control word. Hardware keeps these within
 * one ulp; a correctly rounded result agrees with it except in the rarest near-midpoint
 * cases, while the double-precision approximation they replaced lost 11 bits (libm's logl
 * and expl are built on them).
 *
 * x87 code is off the hot path, so BigInt is used here as in float80.ts.
 */
import { F80, INDEFINITE, infinity, type RoundingControl, round } from './float80.js';

const GUARD = 256;

/** ln 2 × 2^S, cached at the widest S asked for so far. */
let ln2Bits = 0;
let ln2Value = 0n;

/** atanh(Z / 2^S) × 2^S by its odd power series (|Z| well below 2^S). */
function atanhFixed(Z: bigint, S: bigint): bigint {
  // BigInt division truncates toward zero, so a negative series reaches 0 too (>> would stop at −1)
  const one = 1n << S;
  const z2 = (Z * Z) / one;
  let term = Z;
  let sum = 0n;
  for (let j = 1n; term !== 0n; j += 2n) {
    sum += term / j;
    term = (term * z2) / one;
  }
  return sum;
}

function ln2(S: number): bigint {
  if (S > ln2Bits) {
    const bits = S + 64;
    // ln 2 = 2 atanh(1/3)
    ln2Value = 2n * atanhFixed((1n << BigInt(bits)) / 3n, BigInt(bits));
    ln2Bits = bits;
  }
  return ln2Value >> BigInt(ln2Bits - S);
}

function bitLength(m: bigint): number {
  return m === 0n ? 0 : m.toString(2).length;
}

function quiet(x: F80): F80 {
  return new F80(x.sign, 0x7fff, x.mant | 0x4000000000000000n);
}

/** log2(x) × 2^S for finite x > 0, as a signed BigInt. */
function log2Fixed(x: F80, S: number): bigint {
  const s = BigInt(S);
  const one = 1n << s;
  const len = bitLength(x.mant);
  // x = r × 2^k with r = mant / 2^len in [1/2, 1), moved into [√½, √2)
  let k = x.e + len;
  let R = x.mant << BigInt(S - len);
  if (R * R < one * one / 2n) {
    R <<= 1n;
    k -= 1;
  }
  const Z = ((R - one) << s) / (R + one);
  const lnR = 2n * atanhFixed(Z, s);
  return BigInt(k) * one + (lnR << s) / ln2(S);
}

/** Whether x is an exact power of two (then log2(x) is an exact integer). */
function isPowerOfTwo(x: F80): boolean {
  const m = x.mant;
  return (m & (m - 1n)) === 0n;
}

/** FYL2X: ST(1) × log2(ST(0)). */
export function fyl2x(x: F80, y: F80, precision: number, rc: RoundingControl): { value: F80; invalid: boolean; zeroDivide: boolean } {
  if (x.isNaN || y.isNaN) return { value: x.isNaN ? quiet(x) : quiet(y), invalid: false, zeroDivide: false };
  if (x.sign === 1 && !x.isZero) return { value: INDEFINITE, invalid: true, zeroDivide: false };
  if (x.isZero) {
    if (y.isZero) return { value: INDEFINITE, invalid: true, zeroDivide: false };
    return { value: infinity(y.sign ^ 1), invalid: false, zeroDivide: !y.isInfinity };
  }
  if (x.isInfinity) {
    if (y.isZero) return { value: INDEFINITE, invalid: true, zeroDivide: false };
    return { value: infinity(y.sign), invalid: false, zeroDivide: false };
  }
  const L = log2Fixed(x, GUARD);
  if (y.isInfinity) {
    if (L === 0n) return { value: INDEFINITE, invalid: true, zeroDivide: false };
    return { value: infinity(y.sign ^ (L < 0n ? 1 : 0)), invalid: false, zeroDivide: false };
  }
  const sign = y.sign ^ (L < 0n ? 1 : 0);
  if (L === 0n || y.isZero) return { value: new F80(sign, 0, 0n), invalid: false, zeroDivide: false };
  const mag = (L < 0n ? -L : L) * y.mant;
  // an inexact logarithm gets a sticky bit so it can never look like an exact tie
  const m = isPowerOfTwo(x) ? mag : mag | 1n;
  return { value: round(sign, m, y.e - GUARD, precision, rc), invalid: false, zeroDivide: false };
}

/** FYL2XP1: ST(1) × log2(ST(0) + 1), for |ST(0)| < 1 − √2/2. */
export function fyl2xp1(x: F80, y: F80, precision: number, rc: RoundingControl): { value: F80; invalid: boolean } {
  if (x.isNaN || y.isNaN) return { value: x.isNaN ? quiet(x) : quiet(y), invalid: false };
  if (x.isInfinity) return { value: INDEFINITE, invalid: true };
  if (x.isZero) {
    if (y.isInfinity) return { value: INDEFINITE, invalid: true };
    return { value: new F80(x.sign ^ y.sign, 0, 0n), invalid: false };
  }
  if (y.isInfinity) return { value: infinity(y.sign ^ x.sign), invalid: false };
  if (y.isZero) return { value: new F80(x.sign ^ y.sign, 0, 0n), invalid: false };
  // fixed point wide enough that the tiniest x keeps GUARD bits of relative precision
  const len = bitLength(x.mant);
  const S = GUARD + Math.max(0, -(x.e + len));
  const s = BigInt(S);
  const one = 1n << s;
  const X = (x.sign ? -1n : 1n) * (x.e + S >= 0 ? x.mant << BigInt(x.e + S) : x.mant >> BigInt(-(x.e + S)));
  if (X <= -one) return { value: INDEFINITE, invalid: true };
  // ln(1 + x) = 2 atanh(x / (2 + x))
  const Z = (X << s) / (2n * one + X);
  const L = ((2n * atanhFixed(Z, s)) << s) / ln2(S);
  const sign = y.sign ^ (L < 0n ? 1 : 0);
  const mag = (L < 0n ? -L : L) * y.mant;
  return { value: round(sign, mag | 1n, y.e - S, precision, rc), invalid: false };
}

/** F2XM1: 2^ST(0) − 1, for −1 ≤ ST(0) ≤ 1. */
export function f2xm1(x: F80, precision: number, rc: RoundingControl): F80 {
  if (x.isNaN) return quiet(x);
  if (x.isZero) return x;
  if (x.isInfinity) return x.sign ? new F80(1, 16383, 1n << 63n) : x;
  const len = bitLength(x.mant);
  // the exact cases: 2^1 − 1 = 1, 2^−1 − 1 = −½
  if (x.mant === 1n << BigInt(len - 1) && x.e + len - 1 === 0) return round(x.sign, 1n, x.sign ? -1 : 0, precision, rc);
  const S = GUARD + Math.max(0, -(x.e + len));
  const s = BigInt(S);
  const X = x.e + S >= 0 ? x.mant << BigInt(x.e + S) : x.mant >> BigInt(-(x.e + S));
  // 2^x − 1 = expm1(x ln 2) by its power series
  const one = 1n << s;
  const T = ((x.sign ? -X : X) * ln2(S)) / one;
  let term = T;
  let sum = 0n;
  for (let k = 2n; term !== 0n; k++) {
    sum += term;
    term = (term * T) / (k * one);
  }
  const sign = sum < 0n ? 1 : 0;
  return round(sign, (sum < 0n ? -sum : sum) | 1n, -S, precision, rc);
}
