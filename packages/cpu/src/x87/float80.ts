/**
 * 80-bit extended precision (the x87 register format) in software: sign, 15-bit biased
 * exponent, 64-bit significand with an explicit integer bit. Arithmetic is exact and then
 * rounded once, to the precision control (24, 53 or 64 bits) and rounding control of the
 * x87 control word, as the SDM specifies for FADD, FMUL, FDIV, FSQRT and friends.
 *
 * x87 code is rare on the hot path of the programs the model runs (libc's long double
 * printf, some libm paths), so the significand arithmetic uses BigInt for clarity; the
 * per-instruction path of everything else stays BigInt-free.
 */

export const enum RoundingControl {
  Nearest = 0,
  Down = 1,
  Up = 2,
  Zero = 3,
}

const BIAS = 16383;
const MAX_EXP = 0x7fff;
const J = 1n << 63n;
const MASK64 = (1n << 64n) - 1n;

/** An x87 value: (-1)^sign × significand × 2^(exp - 16383 - 63), with special encodings for exp 0x7fff. */
export class F80 {
  constructor(
    readonly sign: number,
    /** Biased exponent, 0..0x7fff. */
    readonly exp: number,
    /** 64-bit significand including the explicit integer bit. */
    readonly mant: bigint,
  ) {}

  get isNaN(): boolean {
    return this.exp === MAX_EXP && (this.mant & ~J) !== 0n;
  }

  get isInfinity(): boolean {
    return this.exp === MAX_EXP && (this.mant & ~J) === 0n;
  }

  get isZero(): boolean {
    return this.mant === 0n && this.exp !== MAX_EXP;
  }

  /** Value = m × 2^e with the unbiased exponent; for finite values only. */
  get e(): number {
    return (this.exp === 0 ? 1 : this.exp) - BIAS - 63;
  }
}

export const ZERO: F80 = new F80(0, 0, 0n);
export const ONE: F80 = new F80(0, BIAS, J);
/** The "real indefinite" QNaN an invalid operation produces when IE is masked. */
export const INDEFINITE: F80 = new F80(1, MAX_EXP, 0xc000000000000000n);

export function infinity(sign: number): F80 {
  return new F80(sign, MAX_EXP, J);
}

function bitLength(m: bigint): number {
  return m === 0n ? 0 : m.toString(2).length;
}

/**
 * Rounds the exact value (-1)^sign × m × 2^e to `precision` significant bits under `rc`
 * and packs it. Exponents below the normal range give denormals; above it, infinity (or
 * the largest finite value when the rounding direction points away from infinity).
 */
export function round(sign: number, m: bigint, e: number, precision: number, rc: RoundingControl): F80 {
  if (m === 0n) return new F80(sign, 0, 0n);
  let len = bitLength(m);
  // biased exponent of the leading bit
  let biased = e + len - 1 + BIAS;
  let p = precision;
  if (biased < 1) {
    // denormal: the rounding position is the smallest denormal, 2^-16445, so fewer (possibly
    // no) significant bits survive
    p = precision - (1 - biased);
  }
  let q = m;
  const shift = len - p;
  if (shift > 0) {
    const rem = m & ((1n << BigInt(shift)) - 1n);
    q = m >> BigInt(shift);
    if (rem !== 0n) {
      const half = 1n << BigInt(shift - 1);
      let up = false;
      switch (rc) {
        case RoundingControl.Nearest:
          up = rem > half || (rem === half && (q & 1n) === 1n);
          break;
        case RoundingControl.Down:
          up = sign === 1;
          break;
        case RoundingControl.Up:
          up = sign === 0;
          break;
        default:
          up = false;
      }
      if (up) q += 1n;
    }
    e += shift;
  } else if (shift < 0) {
    q = m << BigInt(-shift);
    e += shift;
  }
  // rounding may carry into a new leading bit
  len = bitLength(q);
  if (q === 0n) return new F80(sign, 0, 0n);
  biased = e + len - 1 + BIAS;
  if (biased >= MAX_EXP) {
    const toInfinity = rc === RoundingControl.Nearest || (rc === RoundingControl.Up && sign === 0) || (rc === RoundingControl.Down && sign === 1);
    if (toInfinity) return infinity(sign);
    const maxMant = ((1n << BigInt(precision)) - 1n) << BigInt(64 - precision);
    return new F80(sign, MAX_EXP - 1, maxMant);
  }
  if (biased < 1) {
    // denormal (or a denormal that rounded up to the smallest normal)
    const mant = q << BigInt(e + 63 + BIAS - 1);
    return new F80(sign, (mant & J) !== 0n ? 1 : 0, mant & MASK64);
  }
  return new F80(sign, biased, (q << BigInt(64 - len)) & MASK64);
}

function nan(a: F80, b?: F80): F80 {
  // a signalling NaN is quieted; the larger significand wins between two NaNs (SDM 4.8.3.5)
  const quiet = (x: F80): F80 => new F80(x.sign, MAX_EXP, x.mant | 0x4000000000000000n);
  if (b === undefined || !b.isNaN) return quiet(a);
  if (!a.isNaN) return quiet(b);
  return quiet((a.mant & ~(3n << 62n)) >= (b.mant & ~(3n << 62n)) ? a : b);
}

export function add(a: F80, b: F80, precision: number, rc: RoundingControl): F80 {
  if (a.isNaN || b.isNaN) return nan(a, b);
  if (a.isInfinity || b.isInfinity) {
    if (a.isInfinity && b.isInfinity && a.sign !== b.sign) return INDEFINITE;
    return a.isInfinity ? a : b;
  }
  if (a.isZero && b.isZero) {
    const sign = a.sign === b.sign ? a.sign : rc === RoundingControl.Down ? 1 : 0;
    return new F80(sign, 0, 0n);
  }
  if (a.isZero) return round(b.sign, b.mant, b.e, precision, rc);
  if (b.isZero) return round(a.sign, a.mant, a.e, precision, rc);
  let ma = a.mant;
  let mb = b.mant;
  let ea = a.e;
  let eb = b.e;
  // a far smaller operand only matters as a sticky bit
  if (ea - eb > 200) {
    mb = 1n;
    eb = ea - 200;
  } else if (eb - ea > 200) {
    ma = 1n;
    ea = eb - 200;
  }
  const e = Math.min(ea, eb);
  const x = (a.sign ? -1n : 1n) * (ma << BigInt(ea - e));
  const y = (b.sign ? -1n : 1n) * (mb << BigInt(eb - e));
  const sum = x + y;
  if (sum === 0n) return new F80(rc === RoundingControl.Down ? 1 : 0, 0, 0n);
  return round(sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, e, precision, rc);
}

export function negate(a: F80): F80 {
  return new F80(a.sign ^ 1, a.exp, a.mant);
}

export function abs(a: F80): F80 {
  return new F80(0, a.exp, a.mant);
}

export function mul(a: F80, b: F80, precision: number, rc: RoundingControl): F80 {
  if (a.isNaN || b.isNaN) return nan(a, b);
  const sign = a.sign ^ b.sign;
  if (a.isInfinity || b.isInfinity) {
    if (a.isZero || b.isZero) return INDEFINITE;
    return infinity(sign);
  }
  if (a.isZero || b.isZero) return new F80(sign, 0, 0n);
  return round(sign, a.mant * b.mant, a.e + b.e, precision, rc);
}

/** Division; `zeroDivide` is set when a finite non-zero value is divided by zero. */
export function div(a: F80, b: F80, precision: number, rc: RoundingControl): { value: F80; zeroDivide: boolean } {
  if (a.isNaN || b.isNaN) return { value: nan(a, b), zeroDivide: false };
  const sign = a.sign ^ b.sign;
  if (a.isInfinity) return { value: b.isInfinity ? INDEFINITE : infinity(sign), zeroDivide: false };
  if (b.isInfinity) return { value: new F80(sign, 0, 0n), zeroDivide: false };
  if (b.isZero) return { value: a.isZero ? INDEFINITE : infinity(sign), zeroDivide: !a.isZero };
  if (a.isZero) return { value: new F80(sign, 0, 0n), zeroDivide: false };
  const scale = 140n;
  const num = a.mant << scale;
  let q = num / b.mant;
  if (q * b.mant !== num) q = (q << 1n) | 1n;
  else q <<= 1n;
  return { value: round(sign, q, a.e - b.e - Number(scale) - 1, precision, rc), zeroDivide: false };
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(a: F80, precision: number, rc: RoundingControl): F80 {
  if (a.isNaN) return nan(a);
  if (a.isZero) return a;
  if (a.sign === 1) return INDEFINITE;
  if (a.isInfinity) return a;
  let m = a.mant;
  let e = a.e;
  if (e % 2 !== 0) {
    m <<= 1n;
    e -= 1;
  }
  const scaled = m << 140n;
  let r = isqrt(scaled);
  r = r * r === scaled ? r << 1n : (r << 1n) | 1n;
  return round(0, r, (e - 140) / 2 - 1, precision, rc);
}

/** Compares two values: -1, 0, 1, or NaN when unordered. */
export function compare(a: F80, b: F80): number {
  if (a.isNaN || b.isNaN) return Number.NaN;
  if (a.isZero && b.isZero) return 0;
  if (a.sign !== b.sign) return a.sign === 1 ? -1 : 1;
  let c: number;
  if (a.exp !== b.exp) c = a.exp < b.exp ? -1 : 1;
  else c = a.mant === b.mant ? 0 : a.mant < b.mant ? -1 : 1;
  return a.sign === 1 ? -c : c;
}

/** Rounds to an integer value (FRNDINT), keeping the 80-bit format. */
export function roundToInteger(a: F80, rc: RoundingControl): F80 {
  if (a.isNaN || a.isInfinity || a.isZero) return a;
  const e = a.e;
  if (e >= 0) return a;
  const i = toBigInt(a, rc);
  if (i === 0n) return new F80(a.sign, 0, 0n);
  return round(a.sign, i < 0n ? -i : i, 0, 64, RoundingControl.Nearest);
}

/** The integer nearest to (-1)^sign × m × 2^e under `rc`, as a signed BigInt. */
function integerOf(sign: number, m: bigint, e: number, rc: RoundingControl): bigint {
  if (m === 0n) return 0n;
  let mag: bigint;
  if (e >= 0) mag = m << BigInt(e);
  else {
    const far = -e > 200;
    const shift = BigInt(-e);
    mag = far ? 0n : m >> shift;
    const rem = far ? m : m & ((1n << shift) - 1n);
    if (rem !== 0n) {
      let up = false;
      if (rc === RoundingControl.Nearest) {
        if (!far) {
          const half = 1n << (shift - 1n);
          up = rem > half || (rem === half && (mag & 1n) === 1n);
        }
      } else if (rc === RoundingControl.Down) up = sign === 1;
      else if (rc === RoundingControl.Up) up = sign === 0;
      if (up) mag += 1n;
    }
  }
  return sign ? -mag : mag;
}

/** The integer nearest under `rc`, as a BigInt (no range check). */
export function toBigInt(a: F80, rc: RoundingControl): bigint {
  if (a.isZero) return 0n;
  return integerOf(a.sign, a.mant, a.e, rc);
}

export function fromBigInt(v: bigint): F80 {
  if (v === 0n) return ZERO;
  return round(v < 0n ? 1 : 0, v < 0n ? -v : v, 0, 64, RoundingControl.Nearest);
}

const view = new DataView(new ArrayBuffer(8));

export function fromDouble(d: number): F80 {
  view.setFloat64(0, d, true);
  const hi = view.getUint32(4, true);
  const lo = view.getUint32(0, true);
  const sign = hi >>> 31;
  const exp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp === 0x7ff) return frac === 0n ? infinity(sign) : new F80(sign, MAX_EXP, J | (frac << 11n));
  if (exp === 0) return frac === 0n ? new F80(sign, 0, 0n) : round(sign, frac, -1074, 64, RoundingControl.Nearest);
  return new F80(sign, exp - 1023 + BIAS, J | (frac << 11n));
}

export function fromFloat(f: number): F80 {
  return fromDouble(f);
}

/** Converts to an IEEE binary64 (or binary32 with `single`) under `rc`, with the format's exponent range. */
export function toDouble(a: F80, rc: RoundingControl, single = false): number {
  if (a.isNaN) {
    view.setUint32(4, (a.sign << 31) | 0x7ff80000 | Number((a.mant >> 43n) & 0x7ffffn), true);
    view.setUint32(0, Number((a.mant >> 11n) & 0xffffffffn), true);
    const d = view.getFloat64(0, true);
    return single ? Math.fround(d) : d;
  }
  if (a.isInfinity) return a.sign ? -Infinity : Infinity;
  if (a.isZero) return a.sign ? -0 : 0;
  const bits = single ? 24 : 53;
  const minExp = single ? -126 : -1022;
  const maxExp = single ? 127 : 1023;
  // unbiased exponent of the leading bit
  const lead = a.e + bitLength(a.mant) - 1;
  if (lead < minExp) {
    // denormal result: round to a multiple of the smallest denormal, 2^-(bits - 1 - minExp)
    const unit = bits - 1 - minExp;
    const n = integerOf(a.sign, a.mant, a.e + unit, rc);
    const v = Number(n) * 2 ** -unit;
    return v === 0 && a.sign ? -0 : v;
  }
  const r = round(a.sign, a.mant, a.e, bits, rc);
  const rlead = r.e + bitLength(r.mant) - 1;
  if (r.isInfinity || rlead > maxExp) {
    const toInfinity = rc === RoundingControl.Nearest || (rc === RoundingControl.Up && a.sign === 0) || (rc === RoundingControl.Down && a.sign === 1);
    const max = single ? 3.4028234663852886e38 : Number.MAX_VALUE;
    return toInfinity ? (a.sign ? -Infinity : Infinity) : a.sign ? -max : max;
  }
  // exact: the significand has at most 53 significant bits
  const v = Number(r.mant >> 11n) * 2 ** (r.e + 11);
  return a.sign ? -v : v;
}

/** Reads the 10-byte memory format. */
export function fromBytes(lo: number, hi: number, top: number): F80 {
  return new F80((top >>> 15) & 1, top & 0x7fff, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}
