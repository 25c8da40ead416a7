import { type Instruction, Mnemonic as M, OpKind, Register } from '@legosim/x86';
import { Rflags } from '../constants.js';
import type { Cpu } from '../cpu.js';
import {
  abs,
  add,
  compare,
  div,
  F80,
  fromBigInt,
  fromBytes,
  fromDouble,
  INDEFINITE,
  mul,
  negate,
  ONE,
  RoundingControl,
  round,
  roundToInteger,
  sqrt,
  toBigInt,
  toDouble,
  ZERO,
} from '../x87/float80.js';
import { FpuStatus } from '../x87/state.js';
import { f2xm1, fyl2x, fyl2xp1 } from '../x87/transcendental.js';
import type { Define } from './define.js';

/**
 * The x87 FPU instructions (SDM Vol. 2, FADD..FYL2XP1), in 80-bit extended precision with
 * the precision and rounding control of the control word. Exceptions are always treated
 * as masked (Linux's default control word masks them all): the status word records them
 * and the masked response (real indefinite, infinity, ...) is delivered.
 *
 * F2XM1, FYL2X and FYL2XP1 are computed to extended precision (x87/transcendental.ts);
 * FSIN, FCOS, FSINCOS, FPTAN and FPATAN are computed in double precision and widened:
 * close, but not bit-exact with hardware.
 */

/** ST(i) of a register operand, or -1. */
function stIndex(ins: Instruction, n: number): number {
  if (ins.opKind[n] !== OpKind.Register) return -1;
  const r = ins.opReg[n]!;
  return r >= Register.ST0 && r <= Register.ST7 ? r - Register.ST0 : -1;
}

/** Reads a floating-point memory operand (m32fp, m64fp, m80fp). */
function loadReal(cpu: Cpu, ins: Instruction, n: number): F80 {
  const la = cpu.ea(ins);
  const size = ins.opSize[n]!;
  if (size === 4) {
    const v = new DataView(new ArrayBuffer(4));
    v.setInt32(0, cpu.read32(la), true);
    return fromDouble(v.getFloat32(0, true));
  }
  if (size === 8) {
    const v = new DataView(new ArrayBuffer(8));
    v.setInt32(0, cpu.read64(la), true);
    v.setInt32(4, cpu.vhi, true);
    return fromDouble(v.getFloat64(0, true));
  }
  const lo = cpu.read64(la);
  const hi = cpu.vhi;
  return fromBytes(lo, hi, cpu.read16(la + 8));
}

function storeReal(cpu: Cpu, ins: Instruction, n: number, value: F80): void {
  const la = cpu.ea(ins);
  const size = ins.opSize[n]!;
  const fpu = cpu.fpu;
  if (size === 10) {
    cpu.write16(la + 8, (value.sign << 15) | value.exp);
    cpu.write64(la, Number(value.mant & 0xffffffffn) | 0, Number(value.mant >> 32n) | 0);
    return;
  }
  const d = toDouble(value, fpu.rounding, size === 4);
  const v = new DataView(new ArrayBuffer(8));
  if (size === 4) {
    v.setFloat32(0, d, true);
    cpu.write32(la, v.getInt32(0, true));
  } else {
    v.setFloat64(0, d, true);
    cpu.write64(la, v.getInt32(0, true), v.getInt32(4, true));
  }
}

function loadInt(cpu: Cpu, ins: Instruction, n: number): F80 {
  const la = cpu.ea(ins);
  const size = ins.opSize[n]!;
  if (size === 2) return fromBigInt(BigInt((cpu.read16(la) << 16) >> 16));
  if (size === 4) return fromBigInt(BigInt(cpu.read32(la)));
  const lo = cpu.read64(la);
  return fromBigInt((BigInt(cpu.vhi) << 32n) | BigInt(lo >>> 0));
}

/** FIST/FISTP/FISTTP: out of range or NaN stores the integer indefinite and raises IE. */
function storeInt(cpu: Cpu, ins: Instruction, n: number, value: F80, rc: RoundingControl): void {
  const la = cpu.ea(ins);
  const size = ins.opSize[n]!;
  const bits = BigInt(size * 8);
  const min = -(1n << (bits - 1n));
  const max = (1n << (bits - 1n)) - 1n;
  let i = value.isNaN || value.isInfinity ? undefined : toBigInt(value, rc);
  if (i === undefined || i < min || i > max) {
    i = min;
    cpu.fpu.status |= FpuStatus.IE;
  }
  const u = BigInt.asUintN(Number(bits), i);
  if (size === 2) cpu.write16(la, Number(u));
  else if (size === 4) cpu.write32(la, Number(u) | 0);
  else cpu.write64(la, Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0);
}

type Arith = 'add' | 'sub' | 'subr' | 'mul' | 'div' | 'divr';

function arith(cpu: Cpu, op: Arith, a: F80, b: F80): F80 {
  const fpu = cpu.fpu;
  const p = fpu.precision;
  const rc = fpu.rounding;
  let r: F80;
  switch (op) {
    case 'add':
      r = add(a, b, p, rc);
      break;
    case 'sub':
      r = add(a, negate(b), p, rc);
      break;
    case 'subr':
      r = add(b, negate(a), p, rc);
      break;
    case 'mul':
      r = mul(a, b, p, rc);
      break;
    default: {
      const q = op === 'div' ? div(a, b, p, rc) : div(b, a, p, rc);
      if (q.zeroDivide) fpu.status |= FpuStatus.ZE;
      r = q.value;
    }
  }
  if (r === INDEFINITE) fpu.status |= FpuStatus.IE;
  return r;
}

/** FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR in all forms, and the P (pop) variants. */
function arithmetic(op: Arith, pop: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const fpu = cpu.fpu;
    if (ins.opCount === 1 && ins.opKind[0] === OpKind.Memory) {
      fpu.set(0, arith(cpu, op, fpu.get(0), loadReal(cpu, ins, 0)));
      return;
    }
    // register forms: dest op0, source op1 (FADDP with no operands is ST(1), ST(0))
    const d = ins.opCount >= 1 ? stIndex(ins, 0) : 1;
    const s = ins.opCount >= 2 ? stIndex(ins, 1) : 0;
    fpu.set(d, arith(cpu, op, fpu.get(d), fpu.get(s)));
    if (pop) fpu.pop();
  };
}

function integerArithmetic(op: Arith) {
  return (cpu: Cpu, ins: Instruction): void => {
    const fpu = cpu.fpu;
    fpu.set(0, arith(cpu, op, fpu.get(0), loadInt(cpu, ins, 0)));
  };
}

function fld(cpu: Cpu, ins: Instruction): void {
  const i = stIndex(ins, 0);
  const v = i >= 0 ? cpu.fpu.get(i) : loadReal(cpu, ins, 0);
  cpu.fpu.push(v);
}

function fst(pop: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const fpu = cpu.fpu;
    const v = fpu.get(0);
    const i = stIndex(ins, 0);
    if (i >= 0) fpu.set(i, v);
    else storeReal(cpu, ins, 0, v);
    if (pop) fpu.pop();
  };
}

function fild(cpu: Cpu, ins: Instruction): void {
  cpu.fpu.push(loadInt(cpu, ins, 0));
}

function fist(pop: boolean, truncate: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const fpu = cpu.fpu;
    storeInt(cpu, ins, 0, fpu.get(0), truncate ? RoundingControl.Zero : fpu.rounding);
    if (pop) fpu.pop();
  };
}

function fxch(cpu: Cpu, ins: Instruction): void {
  const fpu = cpu.fpu;
  const i = ins.opCount === 0 ? 1 : ins.opCount === 1 ? stIndex(ins, 0) : Math.max(stIndex(ins, 0), stIndex(ins, 1));
  const a = fpu.get(0);
  const b = fpu.get(i);
  fpu.set(0, b);
  fpu.set(i, a);
}

function unary(f: (cpu: Cpu, v: F80) => F80) {
  return (cpu: Cpu): void => {
    cpu.fpu.set(0, f(cpu, cpu.fpu.get(0)));
  };
}

function constant(value: F80) {
  return (cpu: Cpu): void => cpu.fpu.push(value);
}

/** Sets C3, C2, C0 from a comparison (FCOM, FUCOM, FTST, FICOM). */
function setConditions(cpu: Cpu, c: number): void {
  const fpu = cpu.fpu;
  let s = fpu.status & ~(FpuStatus.C0 | FpuStatus.C1 | FpuStatus.C2 | FpuStatus.C3);
  if (Number.isNaN(c)) s |= FpuStatus.C0 | FpuStatus.C2 | FpuStatus.C3;
  else if (c < 0) s |= FpuStatus.C0;
  else if (c === 0) s |= FpuStatus.C3;
  fpu.status = s;
}

/** FCOM/FCOMP/FCOMPP/FUCOM/FUCOMP/FUCOMPP, register or memory source (ST(1) by default). */
function fcom(pops: number, ordered: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const fpu = cpu.fpu;
    let src: F80;
    if (ins.opCount >= 1 && ins.opKind[ins.opCount - 1] === OpKind.Memory) src = loadReal(cpu, ins, ins.opCount - 1);
    else {
      const i = ins.opCount === 0 ? 1 : stIndex(ins, ins.opCount - 1);
      src = fpu.get(i === 0 && ins.opCount === 2 ? stIndex(ins, 1) : i);
    }
    const a = fpu.get(0);
    const c = compare(a, src);
    if (Number.isNaN(c) && (ordered || isSignaling(a) || isSignaling(src))) fpu.status |= FpuStatus.IE;
    setConditions(cpu, c);
    for (let k = 0; k < pops; k++) fpu.pop();
  };
}

function isSignaling(v: F80): boolean {
  return v.isNaN && (v.mant & 0x4000000000000000n) === 0n;
}

function ficom(pop: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    setConditions(cpu, compare(cpu.fpu.get(0), loadInt(cpu, ins, 0)));
    if (pop) cpu.fpu.pop();
  };
}

/** FCOMI/FCOMIP/FUCOMI/FUCOMIP: ZF, PF, CF from the comparison; OF, SF, AF cleared. */
function fcomi(pop: boolean, ordered: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const fpu = cpu.fpu;
    const i = ins.opCount === 2 ? stIndex(ins, 1) : ins.opCount === 1 ? stIndex(ins, 0) : 1;
    const a = fpu.get(0);
    const b = fpu.get(i);
    const c = compare(a, b);
    let f = cpu.getRflags() & ~Rflags.Status;
    if (Number.isNaN(c)) {
      f |= Rflags.ZF | Rflags.PF | Rflags.CF;
      if (ordered || isSignaling(a) || isSignaling(b)) fpu.status |= FpuStatus.IE;
    } else if (c < 0) f |= Rflags.CF;
    else if (c === 0) f |= Rflags.ZF;
    cpu.setStatusFlags(f);
    if (pop) fpu.pop();
  };
}

function ftst(cpu: Cpu): void {
  setConditions(cpu, compare(cpu.fpu.get(0), ZERO));
}

/** FXAM: the class of ST(0) in C3, C2, C0 and its sign in C1. */
function fxam(cpu: Cpu): void {
  const fpu = cpu.fpu;
  let s = fpu.status & ~(FpuStatus.C0 | FpuStatus.C1 | FpuStatus.C2 | FpuStatus.C3);
  if (fpu.isEmpty(0)) s |= FpuStatus.C3 | FpuStatus.C0;
  else {
    const v = fpu.regs[fpu.top]!;
    if (v.sign) s |= FpuStatus.C1;
    if (v.isNaN) s |= FpuStatus.C0;
    else if (v.isInfinity) s |= FpuStatus.C2 | FpuStatus.C0;
    else if (v.isZero) s |= FpuStatus.C3;
    else if (v.exp === 0) s |= FpuStatus.C3 | FpuStatus.C2;
    else if (v.mant >> 63n === 0n) s |= 0; // unnormal: "unsupported"
    else s |= FpuStatus.C2;
  }
  fpu.status = s;
}

const FCMOV: readonly [number, (f: number) => boolean][] = [
  [M.Fcmovb, (f) => (f & Rflags.CF) !== 0],
  [M.Fcmove, (f) => (f & Rflags.ZF) !== 0],
  [M.Fcmovbe, (f) => (f & (Rflags.CF | Rflags.ZF)) !== 0],
  [M.Fcmovu, (f) => (f & Rflags.PF) !== 0],
  [M.Fcmovnb, (f) => (f & Rflags.CF) === 0],
  [M.Fcmovne, (f) => (f & Rflags.ZF) === 0],
  [M.Fcmovnbe, (f) => (f & (Rflags.CF | Rflags.ZF)) === 0],
  [M.Fcmovnu, (f) => (f & Rflags.PF) === 0],
];

function fcmov(test: (flags: number) => boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    if (test(cpu.getRflags())) cpu.fpu.set(0, cpu.fpu.get(stIndex(ins, ins.opCount - 1)));
  };
}

/** FSCALE: ST(0) × 2^trunc(ST(1)). */
function fscale(cpu: Cpu): void {
  const fpu = cpu.fpu;
  const a = fpu.get(0);
  const b = fpu.get(1);
  if (a.isNaN || b.isNaN) {
    // a NaN operand is the result, made quiet (musl's expl(NaN) relies on `fld1; fscale`)
    const n = a.isNaN ? a : b;
    fpu.set(0, new F80(n.sign, 0x7fff, n.mant | 0x4000000000000000n));
    return;
  }
  if (b.isInfinity && ((a.isInfinity && b.sign === 1) || (a.isZero && b.sign === 0))) {
    // ∞ × 2^−∞ and 0 × 2^+∞ are invalid
    fpu.status |= FpuStatus.IE;
    fpu.set(0, INDEFINITE);
    return;
  }
  if (a.isInfinity || a.isZero) return;
  if (b.isInfinity) {
    fpu.set(0, b.sign ? new F80(a.sign, 0, 0n) : new F80(a.sign, 0x7fff, 1n << 63n));
    return;
  }
  const n = Number(toBigInt(b, RoundingControl.Zero));
  const clamped = Math.max(-70000, Math.min(70000, n));
  fpu.set(0, round(a.sign, a.mant, a.e + clamped, 64, fpu.rounding));
}

/** FPREM (truncating) and FPREM1 (round to nearest): a complete reduction, C2 = 0. */
function fprem(nearest: boolean) {
  return (cpu: Cpu): void => {
    const fpu = cpu.fpu;
    const a = fpu.get(0);
    const b = fpu.get(1);
    // the reduction is always complete here: C2 = 0 tells a `fprem; fnstsw; jp` loop to stop
    fpu.status &= ~(FpuStatus.C0 | FpuStatus.C1 | FpuStatus.C2 | FpuStatus.C3);
    if (a.isNaN || b.isNaN || a.isInfinity || b.isZero) {
      fpu.set(0, a.isNaN || b.isNaN ? (a.isNaN ? a : b) : INDEFINITE);
      if (!(a.isNaN || b.isNaN)) fpu.status |= FpuStatus.IE;
      return;
    }
    if (a.isZero || b.isInfinity) return;
    const e = Math.min(a.e, b.e);
    const x = a.mant << BigInt(a.e - e);
    const y = b.mant << BigInt(b.e - e);
    let q = x / y;
    let r = x - q * y;
    if (nearest && (2n * r > y || (2n * r === y && (q & 1n) === 1n))) {
      r -= y;
      q += 1n;
    }
    const sign = r < 0n ? a.sign ^ 1 : a.sign;
    const mag = r < 0n ? -r : r;
    fpu.set(0, mag === 0n ? new F80(a.sign, 0, 0n) : round(sign, mag, e, 64, RoundingControl.Nearest));
    let s = fpu.status & ~(FpuStatus.C0 | FpuStatus.C1 | FpuStatus.C2 | FpuStatus.C3);
    if (q & 1n) s |= FpuStatus.C1;
    if (q & 2n) s |= FpuStatus.C3;
    if (q & 4n) s |= FpuStatus.C0;
    fpu.status = s;
  };
}

/** FXTRACT: ST(0) is replaced by its unbiased exponent, and the significand (exponent 0) is pushed on top. */
function fxtract(cpu: Cpu): void {
  const fpu = cpu.fpu;
  const a = fpu.get(0);
  if (a.isZero) {
    fpu.status |= FpuStatus.ZE;
    fpu.set(0, new F80(1, 0x7fff, 1n << 63n));
    fpu.push(a);
    return;
  }
  const exp = a.exp - 16383;
  fpu.set(0, fromBigInt(BigInt(exp)));
  fpu.push(new F80(a.sign, 16383, a.mant));
}

/** Transcendentals through double precision (documented approximation). */
function viaDouble1(f: (x: number) => number) {
  return (cpu: Cpu): void => {
    const fpu = cpu.fpu;
    fpu.set(0, fromDouble(f(toDouble(fpu.get(0), RoundingControl.Nearest))));
    fpu.status &= ~FpuStatus.C2;
  };
}

function viaDouble2Pop(f: (st0: number, st1: number) => number) {
  return (cpu: Cpu): void => {
    const fpu = cpu.fpu;
    const x = toDouble(fpu.get(0), RoundingControl.Nearest);
    const y = toDouble(fpu.get(1), RoundingControl.Nearest);
    fpu.set(1, fromDouble(f(x, y)));
    fpu.pop();
  };
}

function fptan(cpu: Cpu): void {
  const fpu = cpu.fpu;
  fpu.set(0, fromDouble(Math.tan(toDouble(fpu.get(0), RoundingControl.Nearest))));
  fpu.push(ONE);
  fpu.status &= ~FpuStatus.C2;
}

function fsincos(cpu: Cpu): void {
  const fpu = cpu.fpu;
  const x = toDouble(fpu.get(0), RoundingControl.Nearest);
  fpu.set(0, fromDouble(Math.sin(x)));
  fpu.push(fromDouble(Math.cos(x)));
  fpu.status &= ~FpuStatus.C2;
}

/** F2XM1: ST(0) ← 2^ST(0) − 1. */
function f2xm1Handler(cpu: Cpu): void {
  const fpu = cpu.fpu;
  fpu.set(0, f2xm1(fpu.get(0), fpu.precision, fpu.rounding));
}

/** FYL2X / FYL2XP1: ST(1) ← ST(1) × log2(ST(0)) (or log2(ST(0) + 1)), then pop. */
function fyl2xHandler(plusOne: boolean) {
  return (cpu: Cpu): void => {
    const fpu = cpu.fpu;
    const x = fpu.get(0);
    const y = fpu.get(1);
    if (plusOne) {
      const r = fyl2xp1(x, y, fpu.precision, fpu.rounding);
      if (r.invalid) fpu.status |= FpuStatus.IE;
      fpu.set(1, r.value);
    } else {
      const r = fyl2x(x, y, fpu.precision, fpu.rounding);
      if (r.invalid) fpu.status |= FpuStatus.IE;
      if (r.zeroDivide) fpu.status |= FpuStatus.ZE;
      fpu.set(1, r.value);
    }
    fpu.pop();
  };
}

function fnstcw(cpu: Cpu, ins: Instruction): void {
  cpu.write16(cpu.ea(ins), cpu.fpu.control);
}

function fldcw(cpu: Cpu, ins: Instruction): void {
  cpu.fpu.control = cpu.read16(cpu.ea(ins)) | 0x40;
}

function fnstsw(cpu: Cpu, ins: Instruction): void {
  const sw = cpu.fpu.statusWord;
  if (ins.opKind[0] === OpKind.Register) cpu.writeReg(Register.AX, sw, 0);
  else cpu.write16(cpu.ea(ins), sw);
}

/** FNSTENV/FLDENV: the 28-byte protected-mode environment (FCW, FSW, FTW, then pointers we keep at 0). */
function fnstenv(cpu: Cpu, ins: Instruction): void {
  const la = cpu.ea(ins);
  const fpu = cpu.fpu;
  cpu.write32(la, fpu.control | 0xffff0000);
  cpu.write32(la + 4, fpu.statusWord | 0xffff0000);
  cpu.write32(la + 8, fpu.tagWord | 0xffff0000);
  for (let off = 12; off < 28; off += 4) cpu.write32(la + off, 0);
  // FNSTENV then masks all floating-point exceptions (SDM)
  fpu.control |= 0x3f;
}

function fldenv(cpu: Cpu, ins: Instruction): void {
  const la = cpu.ea(ins);
  const fpu = cpu.fpu;
  fpu.control = cpu.read16(la);
  const sw = cpu.read16(la + 4);
  fpu.status = sw & ~(7 << 11);
  fpu.top = (sw >> 11) & 7;
  fpu.tagWord = cpu.read16(la + 8);
}

export function installX87(def: Define): void {
  const ops: [number, number, number, number, Arith][] = [
    [M.Fadd, M.Faddp, M.Fiadd, 0, 'add'],
    [M.Fsub, M.Fsubp, M.Fisub, 0, 'sub'],
    [M.Fsubr, M.Fsubrp, M.Fisubr, 0, 'subr'],
    [M.Fmul, M.Fmulp, M.Fimul, 0, 'mul'],
    [M.Fdiv, M.Fdivp, M.Fidiv, 0, 'div'],
    [M.Fdivr, M.Fdivrp, M.Fidivr, 0, 'divr'],
  ];
  for (const [plain, popped, integer, , op] of ops) {
    def(plain, arithmetic(op, false));
    def(popped, arithmetic(op, true));
    def(integer, integerArithmetic(op));
  }
  def(M.Fld, fld);
  def(M.Fst, fst(false));
  def(M.Fstp, fst(true));
  def(M.Fild, fild);
  def(M.Fist, fist(false, false));
  def(M.Fistp, fist(true, false));
  def(M.Fisttp, fist(true, true));
  def(M.Fxch, fxch);
  def(M.Fchs, unary((_c, v) => negate(v)));
  def(M.Fabs, unary((_c, v) => abs(v)));
  def(M.Fsqrt, unary((c, v) => {
    const r = sqrt(v, c.fpu.precision, c.fpu.rounding);
    if (r === INDEFINITE) c.fpu.status |= FpuStatus.IE;
    return r;
  }));
  def(M.Frndint, unary((c, v) => roundToInteger(v, c.fpu.rounding)));
  def(M.Fld1, constant(ONE));
  def(M.Fldz, constant(ZERO));
  def(M.Fldpi, constant(new F80(0, 0x4000, 0xc90fdaa22168c235n)));
  def(M.Fldl2e, constant(new F80(0, 0x3fff, 0xb8aa3b295c17f0bcn)));
  def(M.Fldl2t, constant(new F80(0, 0x4000, 0xd49a784bcd1b8afen)));
  def(M.Fldlg2, constant(new F80(0, 0x3ffd, 0x9a209a84fbcff799n)));
  def(M.Fldln2, constant(new F80(0, 0x3ffe, 0xb17217f7d1cf79acn)));
  def(M.Fcom, fcom(0, true));
  def(M.Fcomp, fcom(1, true));
  def(M.Fucom, fcom(0, false));
  def(M.Fucomp, fcom(1, false));
  def(M.Fucompp, fcom(2, false));
  def(M.Ficom, ficom(false));
  def(M.Ficomp, ficom(true));
  def(M.Fcomi, fcomi(false, true));
  def(M.Fcomip, fcomi(true, true));
  def(M.Fucomi, fcomi(false, false));
  def(M.Fucomip, fcomi(true, false));
  def(M.Ftst, ftst);
  def(M.Fxam, fxam);
  for (const [m, test] of FCMOV) def(m, fcmov(test));
  def(M.Fscale, fscale);
  def(M.Fprem, fprem(false));
  def(M.Fprem1, fprem(true));
  def(M.Fxtract, fxtract);
  def(M.F2xm1, f2xm1Handler);
  def(M.Fsin, viaDouble1(Math.sin));
  def(M.Fcos, viaDouble1(Math.cos));
  def(M.Fptan, fptan);
  def(M.Fsincos, fsincos);
  def(M.Fpatan, viaDouble2Pop((x, y) => Math.atan2(y, x)));
  def(M.Fyl2x, fyl2xHandler(false));
  def(M.Fyl2xp1, fyl2xHandler(true));
  def(M.Fnstcw, fnstcw);
  def(M.Fldcw, fldcw);
  def(M.Fnstsw, fnstsw);
  def(M.Fnstenv, fnstenv);
  def(M.Fldenv, fldenv);
  def(M.Fnclex, (cpu) => {
    cpu.fpu.status &= ~0x80ff;
  });
  def(M.Fninit, (cpu) => cpu.fpu.init());
  def(M.Fwait, () => {});
  def(M.Fnop, () => {});
  def(M.Ffree, (cpu, ins) => cpu.fpu.free(stIndex(ins, 0)));
  def(M.Fincstp, (cpu) => {
    cpu.fpu.top = (cpu.fpu.top + 1) & 7;
  });
  def(M.Fdecstp, (cpu) => {
    cpu.fpu.top = (cpu.fpu.top - 1) & 7;
  });
}
