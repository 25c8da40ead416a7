import { type Instruction, Mnemonic as M } from '@legosim/x86';
import { Vector } from '../constants.js';
import type { Cpu } from '../cpu.js';
import { CpuFault } from '../fault.js';
import { FlagOp } from '../flags.js';
import { addSized, fromBigInt, out, SIZE_MASK, subSized, toBigInt, umul32, umul64 } from './arith.js';
import type { Define } from './define.js';

const TWO32 = 4294967296;


/** The two operands of a binary ALU instruction, read once. */
let a = 0;
let aHi = 0;
let b = 0;
let bHi = 0;

function operands(cpu: Cpu, ins: Instruction, size: number): void {
  a = cpu.readOp(ins, 0);
  aHi = cpu.vhi;
  b = cpu.readOp(ins, 1);
  bHi = cpu.vhi;
  if (size < 4) {
    a &= SIZE_MASK[size]!;
    b &= SIZE_MASK[size]!;
  }
}

function add(cpu: Cpu, ins: Instruction): void {
  const size = ins.opSize[0]!;
  operands(cpu, ins, size);
  const r = addSized(size, a, aHi, b, bHi);
  const rHi = out.hi;
  cpu.writeOp(ins, 0, r, rHi);
  cpu.flags.set(FlagOp.Add, size, a, aHi, b, bHi, r, rHi);
}

function adc(cpu: Cpu, ins: Instruction): void {
  const size = ins.opSize[0]!;
  const c = cpu.cf() ? 1 : 0;
  operands(cpu, ins, size);
  let r: number;
  let rHi = 0;
  if (size === 8) {
    const s = (a >>> 0) + (b >>> 0) + c;
    r = s | 0;
    rHi = (aHi + bHi + (s >= TWO32 ? 1 : 0)) | 0;
  } else if (size === 4) r = (a + b + c) | 0;
  else r = (a + b + c) & SIZE_MASK[size]!;
  cpu.writeOp(ins, 0, r, rHi);
  cpu.flags.set(FlagOp.Adc, size, a, aHi, b, bHi, r, rHi);
  cpu.flags.cf = c;
}

function sub(cpu: Cpu, ins: Instruction): void {
  const size = ins.opSize[0]!;
  operands(cpu, ins, size);
  const r = subSized(size, a, aHi, b, bHi);
  const rHi = out.hi;
  cpu.writeOp(ins, 0, r, rHi);
  cpu.flags.set(FlagOp.Sub, size, a, aHi, b, bHi, r, rHi);
}

function cmp(cpu: Cpu, ins: Instruction): void {
  const size = ins.opSize[0]!;
  operands(cpu, ins, size);
  const r = subSized(size, a, aHi, b, bHi);
  cpu.flags.set(FlagOp.Sub, size, a, aHi, b, bHi, r, out.hi);
}

function sbb(cpu: Cpu, ins: Instruction): void {
  const size = ins.opSize[0]!;
  const c = cpu.cf() ? 1 : 0;
  operands(cpu, ins, size);
  let r: number;
  let rHi = 0;
  if (size === 8) {
    const s = (a >>> 0) - (b >>> 0) - c;
    r = s | 0;
    rHi = (aHi - bHi - (s < 0 ? 1 : 0)) | 0;
  } else if (size === 4) r = (a - b - c) | 0;
  else r = (a - b - c) & SIZE_MASK[size]!;
  cpu.writeOp(ins, 0, r, rHi);
  cpu.flags.set(FlagOp.Sbb, size, a, aHi, b, bHi, r, rHi);
  cpu.flags.cf = c;
}

function logic(kind: 0 | 1 | 2 | 3) {
  // 0 and, 1 or, 2 xor, 3 test
  return (cpu: Cpu, ins: Instruction): void => {
    const size = ins.opSize[0]!;
    operands(cpu, ins, size);
    let r: number;
    let rHi: number;
    if (kind === 1) {
      r = a | b;
      rHi = aHi | bHi;
    } else if (kind === 2) {
      r = a ^ b;
      rHi = aHi ^ bHi;
    } else {
      r = a & b;
      rHi = aHi & bHi;
    }
    if (size !== 8) rHi = 0;
    if (kind !== 3) cpu.writeOp(ins, 0, r, rHi);
    cpu.flags.set(FlagOp.Logic, size, a, aHi, b, bHi, r, rHi);
  };
}

function incdec(dec: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const size = ins.opSize[0]!;
    const c = cpu.cf() ? 1 : 0;
    const x = cpu.readOp(ins, 0);
    const xHi = cpu.vhi;
    let r: number;
    let rHi = 0;
    if (size === 8) {
      if (dec) {
        r = (x - 1) | 0;
        rHi = (xHi - (x === 0 ? 1 : 0)) | 0;
      } else {
        r = (x + 1) | 0;
        rHi = (xHi + (r === 0 ? 1 : 0)) | 0;
      }
    } else if (size === 4) r = (dec ? x - 1 : x + 1) | 0;
    else r = (dec ? x - 1 : x + 1) & SIZE_MASK[size]!;
    cpu.writeOp(ins, 0, r, rHi);
    cpu.flags.set(dec ? FlagOp.Dec : FlagOp.Inc, size, size < 4 ? x & SIZE_MASK[size]! : x, xHi, 1, 0, r, rHi);
    cpu.flags.cf = c;
  };
}

function neg(cpu: Cpu, ins: Instruction): void {
  const size = ins.opSize[0]!;
  let x = cpu.readOp(ins, 0);
  const xHi = cpu.vhi;
  if (size < 4) x &= SIZE_MASK[size]!;
  const r = subSized(size, 0, 0, x, xHi);
  const rHi = out.hi;
  cpu.writeOp(ins, 0, r, rHi);
  cpu.flags.set(FlagOp.Sub, size, 0, 0, x, xHi, r, rHi);
}

function not(cpu: Cpu, ins: Instruction): void {
  const x = cpu.readOp(ins, 0);
  cpu.writeOp(ins, 0, ~x, ~cpu.vhi);
}

/** The accumulator pair for MUL/DIV: AL/AX/EAX/RAX and AH/DX/EDX/RDX. */
function mul(cpu: Cpu, ins: Instruction): void {
  const size = ins.opSize[0]!;
  const src = cpu.readOp(ins, 0);
  const srcHi = cpu.vhi;
  const lo = cpu.lo;
  const hi = cpu.hi;
  let overflow: boolean;
  if (size === 1) {
    const r = (lo[0]! & 0xff) * src;
    lo[0] = (lo[0]! & ~0xffff) | r;
    overflow = r > 0xff;
  } else if (size === 2) {
    const r = (lo[0]! & 0xffff) * src;
    lo[0] = (lo[0]! & ~0xffff) | (r & 0xffff);
    lo[2] = (lo[2]! & ~0xffff) | (r >>> 16);
    overflow = r > 0xffff;
  } else if (size === 4) {
    lo[0] = umul32(lo[0]!, src);
    hi[0] = 0;
    lo[2] = out.hi;
    hi[2] = 0;
    overflow = out.hi !== 0;
  } else {
    lo[0] = umul64(lo[0]!, hi[0]!, src, srcHi);
    hi[0] = out.hi;
    lo[2] = out.w2;
    hi[2] = out.w3;
    overflow = (out.w2 | out.w3) !== 0;
  }
  setMulFlags(cpu, overflow, lo[0]!);
}

/** MUL/IMUL: CF = OF = overflow; SF, ZF, AF, PF are undefined (the model computes them from the low result, like the host). */
function setMulFlags(cpu: Cpu, overflow: boolean, low: number): void {
  const f = cpu.flags;
  f.set(FlagOp.Logic, 4, 0, 0, 0, 0, low, 0);
  const status = f.status() & ~(1 | 0x800);
  cpu.setStatusFlags(overflow ? status | 1 | 0x800 : status);
}

/** Signed 64 × 64 → 128 from the unsigned product: returns low, sets out.hi (word1), out.w2, out.w3. */
function smul64(xLo: number, xHi: number, yLo: number, yHi: number): number {
  const w0 = umul64(xLo, xHi, yLo, yHi);
  let w1 = out.hi;
  let w2 = out.w2 >>> 0;
  let w3 = out.w3 >>> 0;
  // high 64 bits -= (x < 0 ? y : 0) + (y < 0 ? x : 0)
  if (xHi < 0) {
    const s = w2 - (yLo >>> 0);
    w2 = s >>> 0;
    w3 = w3 - (yHi >>> 0) - (s < 0 ? 1 : 0);
  }
  if (yHi < 0) {
    const s = w2 - (xLo >>> 0);
    w2 = s >>> 0;
    w3 = w3 - (xHi >>> 0) - (s < 0 ? 1 : 0);
  }
  out.hi = w1;
  out.w2 = w2 | 0;
  out.w3 = w3 | 0;
  w1 = 0;
  return w0;
}

function signExtend(v: number, size: number): number {
  if (size === 1) return (v << 24) >> 24;
  if (size === 2) return (v << 16) >> 16;
  return v | 0;
}

function imul(cpu: Cpu, ins: Instruction): void {
  const size = ins.opSize[0]!;
  if (ins.opCount === 1) {
    const src = cpu.readOp(ins, 0);
    const srcHi = cpu.vhi;
    const lo = cpu.lo;
    const hi = cpu.hi;
    let overflow: boolean;
    if (size === 1) {
      const r = signExtend(lo[0]!, 1) * signExtend(src, 1);
      lo[0] = (lo[0]! & ~0xffff) | (r & 0xffff);
      overflow = r !== signExtend(r, 1);
    } else if (size === 2) {
      const r = signExtend(lo[0]!, 2) * signExtend(src, 2);
      lo[0] = (lo[0]! & ~0xffff) | (r & 0xffff);
      lo[2] = (lo[2]! & ~0xffff) | ((r >> 16) & 0xffff);
      overflow = r !== signExtend(r, 2);
    } else if (size === 4) {
      const x = lo[0]!;
      let rLo = umul32(x, src);
      let rHi = out.hi;
      if (x < 0) rHi -= src;
      if (src < 0) rHi -= x;
      rHi |= 0;
      rLo |= 0;
      lo[0] = rLo;
      hi[0] = 0;
      lo[2] = rHi;
      hi[2] = 0;
      overflow = rHi !== rLo >> 31;
    } else {
      lo[0] = smul64(lo[0]!, hi[0]!, src, srcHi);
      hi[0] = out.hi;
      lo[2] = out.w2;
      hi[2] = out.w3;
      const sign = out.hi >> 31;
      overflow = out.w2 !== sign || out.w3 !== sign;
    }
    setMulFlags(cpu, overflow, lo[0]!);
    return;
  }
  // two- and three-operand forms: dest = src1 * src2, truncated
  const n = ins.opCount === 3 ? 1 : 0;
  const x = cpu.readOp(ins, n);
  const xHi = cpu.vhi;
  const y = cpu.readOp(ins, n + 1);
  const yHi = cpu.vhi;
  let r: number;
  let rHi = 0;
  let overflow: boolean;
  if (size === 2) {
    const p = signExtend(x, 2) * signExtend(y, 2);
    r = p & 0xffff;
    overflow = p !== signExtend(p, 2);
  } else if (size === 4) {
    r = umul32(x, y);
    let h = out.hi;
    if (x < 0) h -= y;
    if (y < 0) h -= x;
    h |= 0;
    overflow = h !== r >> 31;
  } else {
    r = smul64(x, xHi, y, yHi);
    rHi = out.hi;
    const sign = rHi >> 31;
    overflow = out.w2 !== sign || out.w3 !== sign;
  }
  cpu.writeOp(ins, 0, r, rHi);
  setMulFlags(cpu, overflow, r);
}

function divide(signed: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const size = ins.opSize[0]!;
    const d = cpu.readOp(ins, 0);
    const dHi = cpu.vhi;
    const lo = cpu.lo;
    const hi = cpu.hi;
    if (size === 1 || size === 2 || size === 4) {
      let dividend: number;
      let divisor: number;
      if (size === 1) {
        dividend = signed ? signExtend(lo[0]!, 2) : lo[0]! & 0xffff;
        divisor = signed ? signExtend(d, 1) : d & 0xff;
      } else if (size === 2) {
        const v = ((lo[2]! & 0xffff) << 16) | (lo[0]! & 0xffff);
        dividend = signed ? v : v >>> 0;
        divisor = signed ? signExtend(d, 2) : d & 0xffff;
      } else {
        dividend = signed ? lo[2]! * TWO32 + (lo[0]! >>> 0) : (lo[2]! >>> 0) * TWO32 + (lo[0]! >>> 0);
        divisor = signed ? d | 0 : d >>> 0;
      }
      if (divisor === 0) throw new CpuFault(Vector.DE, -1);
      let q: number;
      let r: number;
      if (Math.abs(dividend) < 2 ** 53) {
        q = Math.trunc(dividend / divisor);
        r = dividend - q * divisor;
        // correct the rounding of the double division
        if (r !== 0 && Math.sign(r) !== Math.sign(dividend)) {
          q -= Math.sign(divisor) * Math.sign(dividend);
          r = dividend - q * divisor;
        } else if (Math.abs(r) >= Math.abs(divisor)) {
          q += Math.sign(divisor) * Math.sign(dividend);
          r = dividend - q * divisor;
        }
      } else {
        const big = signed
          ? (BigInt(lo[2]! | 0) << 32n) | BigInt(lo[0]! >>> 0)
          : (BigInt(lo[2]! >>> 0) << 32n) | BigInt(lo[0]! >>> 0);
        const bq = big / BigInt(divisor);
        q = Number(bq);
        r = Number(big - bq * BigInt(divisor));
      }
      const bits = size * 8;
      const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
      const min = signed ? -(2 ** (bits - 1)) : 0;
      if (q > max || q < min) throw new CpuFault(Vector.DE, -1);
      if (size === 1) lo[0] = (lo[0]! & ~0xffff) | (q & 0xff) | ((r & 0xff) << 8);
      else if (size === 2) {
        lo[0] = (lo[0]! & ~0xffff) | (q & 0xffff);
        lo[2] = (lo[2]! & ~0xffff) | (r & 0xffff);
      } else {
        lo[0] = q | 0;
        hi[0] = 0;
        lo[2] = r | 0;
        hi[2] = 0;
      }
      return;
    }
    // 128 / 64: RDX:RAX / src
    const dividendHi = toBigInt(lo[2]!, hi[2]!);
    const dividendLo = toBigInt(lo[0]!, hi[0]!);
    let dividend = (dividendHi << 64n) | dividendLo;
    let divisor = toBigInt(d, dHi);
    if (signed) {
      dividend = BigInt.asIntN(128, dividend);
      divisor = BigInt.asIntN(64, divisor);
    }
    if (divisor === 0n) throw new CpuFault(Vector.DE, -1);
    const q = dividend / divisor;
    const r = dividend % divisor;
    if (signed ? q !== BigInt.asIntN(64, q) : q !== BigInt.asUintN(64, q)) throw new CpuFault(Vector.DE, -1);
    lo[0] = fromBigInt(q);
    hi[0] = out.hi;
    lo[2] = fromBigInt(r);
    hi[2] = out.hi;
  };
}

export function installAlu(def: Define): void {
  def(M.Add, add);
  def(M.Adc, adc);
  def(M.Sub, sub);
  def(M.Sbb, sbb);
  def(M.Cmp, cmp);
  def(M.And, logic(0));
  def(M.Or, logic(1));
  def(M.Xor, logic(2));
  def(M.Test, logic(3));
  def(M.Inc, incdec(false));
  def(M.Dec, incdec(true));
  def(M.Neg, neg);
  def(M.Not, not);
  def(M.Mul, mul);
  def(M.Imul, imul);
  def(M.Div, divide(false));
  def(M.Idiv, divide(true));
}
