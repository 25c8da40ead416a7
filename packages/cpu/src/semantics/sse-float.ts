import { type Instruction, Mnemonic as M } from '@legosim/x86';
import { Rflags } from '../constants.js';
import type { Cpu } from '../cpu.js';
import type { Define } from './define.js';
import { load, t32, tf32, tf64, u32, uf32, uf64, xi } from './sse-operand.js';
import { addError, directed32, directed64, divError, flush32, flush64, MXCSR_DAZ, MXCSR_FTZ, MXCSR_RC_MASK, MXCSR_RC_SHIFT, mulError, Rc, sqrtError } from './sse-round.js';
import { isStringForm, stringCmpsd } from './string.js';

/**
 * SSE/SSE2 floating-point arithmetic (SDM Vol. 2: ADDPS..DIVSD, SQRTxx, MINxx, MAXxx,
 * CMPxx, RCPxx, RSQRTxx, COMISx/UCOMISx). Each element is computed in JS doubles, then:
 * - a NaN result takes the NaN of SDM Vol. 1 Table 4-7 (the first source if it is a NaN,
 *   else the second, made quiet; an invalid operation on numbers gives the QNaN
 *   "floating-point indefinite", negative), done on bit patterns so payloads survive;
 * - with MXCSR.RC other than nearest, the result is stepped by sse-round.ts.
 * - MXCSR.DAZ reads denormal operands as signed zeros, MXCSR.FTZ writes tiny results as
 *   signed zeros (gcc -ffast-math sets both at startup).
 * Exception flags in MXCSR are not raised (every exception is masked under Linux's default
 * 0x1f80, so only fetestexcept could tell).
 */

export const enum Op {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
}

const QNAN64_HI = 0x00080000;
const QNAN32 = 0x00400000;
const INDEFINITE64_HI = 0xfff80000 | 0;
const INDEFINITE32 = 0xffc00000 | 0;

function isNaN64(x: Int32Array, i: number): boolean {
  const hi = x[i + 1]!;
  return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | x[i]!) !== 0;
}

function isNaN32(v: number): boolean {
  return (v & 0x7fffffff) > 0x7f800000;
}

/** The NaN result of a binary double operation on dst (x[d]) and src (t32[s]). */
function nan64(x: Int32Array, d: number, s: number): void {
  if (isNaN64(x, d)) x[d + 1] = x[d + 1]! | QNAN64_HI;
  else if (isNaN64(t32, s)) {
    x[d] = t32[s]!;
    x[d + 1] = t32[s + 1]! | QNAN64_HI;
  } else {
    x[d] = 0;
    x[d + 1] = INDEFINITE64_HI;
  }
}

function nan32(x: Int32Array, d: number, s: number): void {
  if (isNaN32(x[d]!)) x[d] = x[d]! | QNAN32;
  else if (isNaN32(t32[s]!)) x[d] = t32[s]! | QNAN32;
  else x[d] = INDEFINITE32;
}

function isPlusZero(v: number): boolean {
  return v === 0 && 1 / v > 0;
}

/**
 * The result of a + y in a directed mode when the nearest result is r. An exact zero sum
 * of operands with opposite signs is +0, except in round-down where it is −0 (IEEE 754 §6.3).
 */
function sumZero(a: number, y: number, rc: number): number {
  if (rc === Rc.Down) return isPlusZero(a) && isPlusZero(y) ? 0 : -0;
  return a === 0 && y === 0 && 1 / a < 0 && 1 / y < 0 ? -0 : 0;
}

/** Exact-error sign of r = a op b (the directed-mode slow path). */
function errorOf(op: Op, a: number, b: number, r: number): number {
  if (op === Op.Add) return addError(a, b, r);
  if (op === Op.Sub) return addError(a, -b, r);
  if (op === Op.Mul) return mulError(a, b, r);
  return divError(a, b, r);
}

/**
 * dst double element (dword index d of the register file `f`/`x`, the CPU's or the
 * staging one) op= tmp double element (dword index s).
 */
export function arith64(f: Float64Array, x: Int32Array, mxcsr: number, op: Op, d: number, s: number): void {
  let a = f[d >> 1]!;
  let b = tf64[s >> 1]!;
  if (mxcsr & MXCSR_DAZ) {
    a = flush64(a);
    b = flush64(b);
  }
  let r = op === Op.Add ? a + b : op === Op.Sub ? a - b : op === Op.Mul ? a * b : a / b;
  if (Number.isNaN(r)) {
    nan64(x, d, s);
    return;
  }
  if (mxcsr & (MXCSR_RC_MASK | MXCSR_FTZ)) {
    const rc = (mxcsr >> MXCSR_RC_SHIFT) & 3;
    if (rc !== Rc.Nearest) {
      if (r === 0 && op <= Op.Sub) r = sumZero(a, op === Op.Sub ? -b : b, rc);
      else r = directed64(r, errorOf(op, a, b, r), rc);
    }
    if (mxcsr & MXCSR_FTZ) r = flush64(r);
  }
  f[d >> 1] = r;
}

/** dst float element (dword index d of `f`/`x`) op= tmp float element (dword index s). */
export function arith32(f: Float32Array, x: Int32Array, mxcsr: number, op: Op, d: number, s: number): void {
  let a = f[d]!;
  let b = tf32[s]!;
  if (mxcsr & MXCSR_DAZ) {
    a = flush32(a);
    b = flush32(b);
  }
  let r = op === Op.Add ? a + b : op === Op.Sub ? a - b : op === Op.Mul ? a * b : a / b;
  if (Number.isNaN(r)) {
    nan32(x, d, s);
    return;
  }
  if (mxcsr & (MXCSR_RC_MASK | MXCSR_FTZ)) {
    const rc = (mxcsr >> MXCSR_RC_SHIFT) & 3;
    if (rc !== Rc.Nearest) {
      if (r === 0 && op <= Op.Sub) r = sumZero(a, op === Op.Sub ? -b : b, rc);
      else r = directed32(r, errorOf(op, a, b, r), rc);
    }
    if (mxcsr & MXCSR_FTZ) r = flush32(Math.fround(r));
  }
  f[d] = r;
}

function sqrt64(cpu: Cpu, d: number, s: number): void {
  const v = cpu.mxcsr & MXCSR_DAZ ? flush64(tf64[s >> 1]!) : tf64[s >> 1]!;
  let r = Math.sqrt(v);
  if (Number.isNaN(r)) {
    const x = cpu.x32;
    if (isNaN64(t32, s)) {
      x[d] = t32[s]!;
      x[d + 1] = t32[s + 1]! | QNAN64_HI;
    } else {
      x[d] = 0;
      x[d + 1] = INDEFINITE64_HI;
    }
    return;
  }
  const rc = (cpu.mxcsr >> MXCSR_RC_SHIFT) & 3;
  if (rc !== Rc.Nearest) r = directed64(r, sqrtError(v, r), rc);
  cpu.xf64[d >> 1] = r;
}

function sqrt32(cpu: Cpu, d: number, s: number): void {
  const v = cpu.mxcsr & MXCSR_DAZ ? flush32(tf32[s]!) : tf32[s]!;
  let r = Math.sqrt(v);
  if (Number.isNaN(r)) {
    cpu.x32[d] = isNaN32(t32[s]!) ? t32[s]! | QNAN32 : INDEFINITE32;
    return;
  }
  const rc = (cpu.mxcsr >> MXCSR_RC_SHIFT) & 3;
  if (rc !== Rc.Nearest) r = directed32(r, sqrtError(v, r), rc);
  cpu.xf32[d] = r;
}

function scalarArith(double: boolean, op: Op) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1);
    if (double) arith64(cpu.xf64, cpu.x32, cpu.mxcsr, op, xi(cpu, ins, 0), 0);
    else arith32(cpu.xf32, cpu.x32, cpu.mxcsr, op, xi(cpu, ins, 0), 0);
  };
}

function packedArith(double: boolean, op: Op) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const d = xi(cpu, ins, 0);
    if (double) {
      arith64(cpu.xf64, cpu.x32, cpu.mxcsr, op, d, 0);
      arith64(cpu.xf64, cpu.x32, cpu.mxcsr, op, d + 2, 2);
    } else for (let i = 0; i < 4; i++) arith32(cpu.xf32, cpu.x32, cpu.mxcsr, op, d + i, i);
  };
}

function sqrtForm(double: boolean, lanes: number) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, lanes > 1);
    const d = xi(cpu, ins, 0);
    if (double) for (let i = 0; i < lanes; i++) sqrt64(cpu, d + 2 * i, 2 * i);
    else for (let i = 0; i < lanes; i++) sqrt32(cpu, d + i, i);
  };
}

/** ADDSUBPD/ADDSUBPS (SSE3): the even elements subtract, the odd ones add. */
function addsub(double: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const d = xi(cpu, ins, 0);
    if (double) {
      arith64(cpu.xf64, cpu.x32, cpu.mxcsr, Op.Sub, d, 0);
      arith64(cpu.xf64, cpu.x32, cpu.mxcsr, Op.Add, d + 2, 2);
    } else for (let i = 0; i < 4; i++) arith32(cpu.xf32, cpu.x32, cpu.mxcsr, i & 1 ? Op.Add : Op.Sub, d + i, i);
  };
}

/**
 * HADDPx/HSUBPx (SSE3): adjacent pairs of the destination, then of the source. The pairs
 * are staged so that each element's first operand sits in `u` and its second in `tmp`,
 * which keeps the NaN rules (the first operand's NaN wins) of the plain arithmetic.
 */
function horizontal(double: boolean, op: Op) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const d = xi(cpu, ins, 0);
    const x = cpu.x32;
    if (double) {
      // u = [dst0, src0], tmp = [dst1, src1]
      u32[0] = x[d]!;
      u32[1] = x[d + 1]!;
      u32[2] = t32[0]!;
      u32[3] = t32[1]!;
      t32[0] = x[d + 2]!;
      t32[1] = x[d + 3]!;
      arith64(uf64, u32, cpu.mxcsr, op, 0, 0);
      arith64(uf64, u32, cpu.mxcsr, op, 2, 2);
    } else {
      // u = [dst0, dst2, src0, src2], tmp = [dst1, dst3, src1, src3]
      u32[0] = x[d]!;
      u32[1] = x[d + 2]!;
      u32[2] = t32[0]!;
      u32[3] = t32[2]!;
      t32[0] = x[d + 1]!;
      t32[2] = t32[1]!;
      t32[1] = x[d + 3]!;
      for (let i = 0; i < 4; i++) arith32(uf32, u32, cpu.mxcsr, op, i, i);
    }
    x[d] = u32[0]!;
    x[d + 1] = u32[1]!;
    x[d + 2] = u32[2]!;
    x[d + 3] = u32[3]!;
  };
}

/**
 * MINxx/MAXxx: dst < src (dst > src) keeps dst; otherwise — src smaller, equal (so also
 * +0 vs −0), or either a NaN — the second operand is returned unchanged, SNaN included.
 */
function minMax(double: boolean, lanes: number, max: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, lanes > 1);
    const d = xi(cpu, ins, 0);
    const x = cpu.x32;
    const daz = (cpu.mxcsr & MXCSR_DAZ) !== 0;
    if (double) {
      const f = cpu.xf64;
      for (let i = 0; i < lanes; i++) {
        let a = f[(d >> 1) + i]!;
        let b = tf64[i]!;
        if (daz) {
          // the operands are read as zeros, so a denormal that wins is written as one
          if (a !== 0 && flush64(a) === 0) a = f[(d >> 1) + i] = flush64(a);
          if (b !== 0 && flush64(b) === 0) b = tf64[i] = flush64(b);
        }
        if (max ? !(a > b) : !(a < b)) {
          x[d + 2 * i] = t32[2 * i]!;
          x[d + 2 * i + 1] = t32[2 * i + 1]!;
        }
      }
    } else {
      const f = cpu.xf32;
      for (let i = 0; i < lanes; i++) {
        let a = f[d + i]!;
        let b = tf32[i]!;
        if (daz) {
          if (a !== 0 && flush32(a) === 0) a = f[d + i] = flush32(a);
          if (b !== 0 && flush32(b) === 0) b = tf32[i] = flush32(b);
        }
        if (max ? !(a > b) : !(a < b)) x[d + i] = t32[i]!;
      }
    }
  };
}

/** The eight CMPPS/CMPSD predicates of the legacy (non-VEX) encoding, imm8[2:0]. */
function predicate(p: number, a: number, b: number): boolean {
  switch (p) {
    case 0: // EQ_OQ
      return a === b;
    case 1: // LT_OS
      return a < b;
    case 2: // LE_OS
      return a <= b;
    case 3: // UNORD_Q
      return Number.isNaN(a) || Number.isNaN(b);
    case 4: // NEQ_UQ
      return !(a === b);
    case 5: // NLT_US
      return !(a < b);
    case 6: // NLE_US
      return !(a <= b);
    default: // ORD_Q
      return !Number.isNaN(a) && !Number.isNaN(b);
  }
}

function compare(double: boolean, lanes: number) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, lanes > 1);
    const p = ins.immLo & 7;
    const d = xi(cpu, ins, 0);
    const daz = (cpu.mxcsr & MXCSR_DAZ) !== 0;
    const x = cpu.x32;
    if (double) {
      const f = cpu.xf64;
      for (let i = 0; i < lanes; i++) {
        const a = f[(d >> 1) + i]!;
        const b = tf64[i]!;
        const m = predicate(p, daz ? flush64(a) : a, daz ? flush64(b) : b) ? -1 : 0;
        x[d + 2 * i] = m;
        x[d + 2 * i + 1] = m;
      }
    } else {
      const f = cpu.xf32;
      for (let i = 0; i < lanes; i++) {
        const a = f[d + i]!;
        const b = tf32[i]!;
        x[d + i] = predicate(p, daz ? flush32(a) : a, daz ? flush32(b) : b) ? -1 : 0;
      }
    }
  };
}

/** UCOMISx/COMISx: ZF, PF, CF as an unordered compare; OF, SF, AF cleared. */
function compareScalar(double: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1);
    const d = xi(cpu, ins, 0);
    let a = double ? cpu.xf64[d >> 1]! : cpu.xf32[d]!;
    let b = double ? tf64[0]! : tf32[0]!;
    if (cpu.mxcsr & MXCSR_DAZ) {
      a = double ? flush64(a) : flush32(a);
      b = double ? flush64(b) : flush32(b);
    }
    let f = cpu.getRflags() & ~Rflags.Status;
    if (Number.isNaN(a) || Number.isNaN(b)) f |= Rflags.ZF | Rflags.PF | Rflags.CF;
    else if (a < b) f |= Rflags.CF;
    else if (a === b) f |= Rflags.ZF;
    cpu.setStatusFlags(f);
  };
}

const FLT_MIN = 1.1754943508222875e-38;

/**
 * RCPxS/RSQRTxS: the SDM only bounds the error (|relative error| ≤ 1.5 × 2^-12) and the
 * tables differ between Intel and AMD parts, so the model returns the correctly rounded
 * float value, which satisfies the bound; the special cases follow the SDM exactly:
 * ±0 and denormal inputs give ±∞, tiny results flush to ±0, RSQRT of a negative number
 * gives the QNaN indefinite, a NaN input is returned quiet.
 */
function approx(v: number, bits: number, rsqrt: boolean): number {
  if (isNaN32(bits)) return bits | QNAN32;
  const ax = Math.abs(v);
  if (ax < FLT_MIN) return bits < 0 ? 0xff800000 | 0 : 0x7f800000; // ±0 or denormal → ±∞
  if (rsqrt) {
    if (bits < 0) return INDEFINITE32;
    tf32[0] = 1 / Math.sqrt(v);
  } else {
    const r = 1 / v;
    tf32[0] = Math.abs(r) < FLT_MIN ? (bits < 0 ? -0 : 0) : r;
  }
  return t32[0]!;
}

function reciprocal(lanes: number, rsqrt: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, lanes > 1);
    const d = xi(cpu, ins, 0);
    const x = cpu.x32;
    // tmp is reused by approx(): take every lane out first
    const s0 = t32[0]!;
    const s1 = t32[1]!;
    const s2 = t32[2]!;
    const s3 = t32[3]!;
    const f0 = tf32[0]!;
    const f1 = tf32[1]!;
    const f2 = tf32[2]!;
    const f3 = tf32[3]!;
    x[d] = approx(f0, s0, rsqrt);
    if (lanes === 4) {
      x[d + 1] = approx(f1, s1, rsqrt);
      x[d + 2] = approx(f2, s2, rsqrt);
      x[d + 3] = approx(f3, s3, rsqrt);
    }
  };
}

export function installSseFloat(def: Define): void {
  const ops: [Op, number, number, number, number][] = [
    [Op.Add, M.Addsd, M.Addss, M.Addpd, M.Addps],
    [Op.Sub, M.Subsd, M.Subss, M.Subpd, M.Subps],
    [Op.Mul, M.Mulsd, M.Mulss, M.Mulpd, M.Mulps],
    [Op.Div, M.Divsd, M.Divss, M.Divpd, M.Divps],
  ];
  for (const [op, sd, ss, pd, ps] of ops) {
    def(sd, scalarArith(true, op));
    def(ss, scalarArith(false, op));
    def(pd, packedArith(true, op));
    def(ps, packedArith(false, op));
  }
  def(M.Sqrtsd, sqrtForm(true, 1));
  def(M.Sqrtss, sqrtForm(false, 1));
  def(M.Sqrtpd, sqrtForm(true, 2));
  def(M.Sqrtps, sqrtForm(false, 4));
  def(M.Minsd, minMax(true, 1, false));
  def(M.Minss, minMax(false, 1, false));
  def(M.Minpd, minMax(true, 2, false));
  def(M.Minps, minMax(false, 4, false));
  def(M.Maxsd, minMax(true, 1, true));
  def(M.Maxss, minMax(false, 1, true));
  def(M.Maxpd, minMax(true, 2, true));
  def(M.Maxps, minMax(false, 4, true));
  const cmpsd = compare(true, 1);
  // CMPSD is two instructions: the string compare (A7) and the SSE2 compare (F2 0F C2)
  def(M.Cmpsd, (cpu, ins) => (isStringForm(ins) ? stringCmpsd(cpu, ins) : cmpsd(cpu, ins)));
  def(M.Cmpss, compare(false, 1));
  def(M.Cmppd, compare(true, 2));
  def(M.Cmpps, compare(false, 4));
  def(M.Ucomisd, compareScalar(true));
  def(M.Comisd, compareScalar(true));
  def(M.Ucomiss, compareScalar(false));
  def(M.Comiss, compareScalar(false));
  def(M.Rcpss, reciprocal(1, false));
  def(M.Rcpps, reciprocal(4, false));
  def(M.Rsqrtss, reciprocal(1, true));
  def(M.Rsqrtps, reciprocal(4, true));
  def(M.Addsubpd, addsub(true));
  def(M.Addsubps, addsub(false));
  def(M.Haddpd, horizontal(true, Op.Add));
  def(M.Haddps, horizontal(false, Op.Add));
  def(M.Hsubpd, horizontal(true, Op.Sub));
  def(M.Hsubps, horizontal(false, Op.Sub));
}
