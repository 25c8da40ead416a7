import { type Instruction, Mnemonic as M } from '@legosim/x86';
import type { Cpu } from '../cpu.js';
import type { Define } from './define.js';
import { load, t32, tf32, tf64, xi } from './sse-operand.js';
import { addError, directed32, directed64, flush32, flush64, MXCSR_DAZ, MXCSR_FTZ, MXCSR_RC_SHIFT, Rc, roundToInteger, toOdd64 } from './sse-round.js';

/**
 * SSE/SSE2 conversions (SDM Vol. 2 CVTxx2xx): integer ↔ floating point and float ↔ double,
 * scalar and packed. Rounding follows MXCSR.RC except in the CVTTxx forms, which truncate.
 * A result out of the destination's range (or a NaN) is the "integer indefinite", the most
 * negative integer of the destination width. NaNs converted between widths keep their sign
 * and the high payload bits, and become quiet. MXCSR.DAZ flushes denormal sources, FTZ
 * tiny float results.
 */

const TWO32 = 4294967296;
const TWO31 = 2147483648;
const TWO63 = 2 ** 63;
const INDEFINITE32 = 0x80000000 | 0;

function rcOf(cpu: Cpu): number {
  return (cpu.mxcsr >> MXCSR_RC_SHIFT) & 3;
}

/** A double → int32 conversion in mode rc (the indefinite when out of range or NaN). */
function toInt32(v: number, rc: number): number {
  const r = roundToInteger(v, rc);
  return r >= -TWO31 && r < TWO31 ? r | 0 : INDEFINITE32;
}

/** Float bits of a double NaN (x[i], x[i+1]): sign, quiet bit set, the top 22 payload bits. */
function nanToFloat(lo: number, hi: number): number {
  return (hi & 0x80000000) | 0x7fc00000 | ((hi & 0xfffff) << 3) | (lo >>> 29);
}

/** Double NaN bits of float NaN bits `b`, written to x[i], x[i+1]. */
function nanToDouble(b: number, x: Int32Array, i: number): void {
  const m = (b | 0x400000) & 0x7fffff;
  x[i] = (m & 7) << 29;
  x[i + 1] = (b & 0x80000000) | 0x7ff00000 | (m >>> 3);
}

function isNaN32(b: number): boolean {
  return (b & 0x7fffffff) > 0x7f800000;
}

/** A double rounded to float in mode rc; NaN bits are handled by the callers. */
function toFloat(v: number, rc: number): number {
  return rc === Rc.Nearest ? Math.fround(v) : directed32(v, 0, rc);
}

/** A floating-point source as MXCSR.DAZ reads it. */
function src64(cpu: Cpu, v: number): number {
  return cpu.mxcsr & MXCSR_DAZ ? flush64(v) : v;
}

function src32(cpu: Cpu, v: number): number {
  return cpu.mxcsr & MXCSR_DAZ ? flush32(v) : v;
}

/** A double narrowed to float under MXCSR.RC, and FTZ. */
function narrow(cpu: Cpu, v: number): number {
  const r = toFloat(v, rcOf(cpu));
  return cpu.mxcsr & MXCSR_FTZ ? flush32(r) : r;
}

/** CVTSI2SD/CVTSI2SS xmm, r/m32 or r/m64. */
function cvtsi2(double: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const lo = cpu.readOp(ins, 1);
    const d = xi(cpu, ins, 0);
    const rc = rcOf(cpu);
    if (ins.opSize[1] !== 8) {
      // an int32 is exact as a double: one rounding to float at most
      if (double) cpu.xf64[d >> 1] = lo | 0;
      else cpu.xf32[d] = toFloat(lo | 0, rc);
      return;
    }
    // hi·2^32 is exact, so the sum is the one correctly rounded (nearest) double of the int64
    const h = cpu.vhi * TWO32;
    const l = lo >>> 0;
    const r = h + l;
    if (double) cpu.xf64[d >> 1] = rc === Rc.Nearest ? r : directed64(r, addError(h, l, r), rc);
    // round to odd first, so the second rounding to float is not a double rounding
    else cpu.xf32[d] = toFloat(toOdd64(r, addError(h, l, r)), rc);
  };
}

/** CVTSD2SI/CVTSS2SI (MXCSR.RC) and CVTTSD2SI/CVTTSS2SI (truncate) to r32 or r64. */
function cvt2si(double: boolean, truncate: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1);
    const v = double ? src64(cpu, tf64[0]!) : src32(cpu, tf32[0]!);
    const r = roundToInteger(v, truncate ? Rc.Zero : rcOf(cpu));
    if (ins.opSize[0] === 8) {
      if (r >= -TWO63 && r < TWO63) cpu.writeOp(ins, 0, r | 0, Math.floor(r / TWO32) | 0);
      else cpu.writeOp(ins, 0, 0, INDEFINITE32);
    } else cpu.writeOp(ins, 0, r >= -TWO31 && r < TWO31 ? r | 0 : INDEFINITE32, 0);
  };
}

function cvtss2sd(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1);
  const d = xi(cpu, ins, 0);
  if (isNaN32(t32[0]!)) nanToDouble(t32[0]!, cpu.x32, d);
  else cpu.xf64[d >> 1] = src32(cpu, tf32[0]!);
}

function cvtsd2ss(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1);
  const d = xi(cpu, ins, 0);
  const v = tf64[0]!;
  if (Number.isNaN(v)) cpu.x32[d] = nanToFloat(t32[0]!, t32[1]!);
  else cpu.xf32[d] = narrow(cpu, src64(cpu, v));
}

/** CVTPS2PD xmm, xmm/m64: two floats to two doubles (exact). */
function cvtps2pd(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1);
  const d = xi(cpu, ins, 0);
  const x = cpu.x32;
  const b0 = t32[0]!;
  const b1 = t32[1]!;
  const f0 = src32(cpu, tf32[0]!);
  const f1 = src32(cpu, tf32[1]!);
  if (isNaN32(b0)) nanToDouble(b0, x, d);
  else cpu.xf64[d >> 1] = f0;
  if (isNaN32(b1)) nanToDouble(b1, x, d + 2);
  else cpu.xf64[(d >> 1) + 1] = f1;
}

/** CVTPD2PS xmm, xmm/m128: two doubles to floats in the low half; the high half is zeroed. */
function cvtpd2ps(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const d = xi(cpu, ins, 0);
  const x = cpu.x32;
  for (let i = 0; i < 2; i++) {
    const v = tf64[i]!;
    if (Number.isNaN(v)) x[d + i] = nanToFloat(t32[2 * i]!, t32[2 * i + 1]!);
    else cpu.xf32[d + i] = narrow(cpu, src64(cpu, v));
  }
  x[d + 2] = 0;
  x[d + 3] = 0;
}

/** CVTDQ2PS xmm, xmm/m128: four int32 to floats (rounded per MXCSR). */
function cvtdq2ps(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const d = xi(cpu, ins, 0);
  const rc = rcOf(cpu);
  for (let i = 0; i < 4; i++) cpu.xf32[d + i] = toFloat(t32[i]!, rc);
}

/** CVTPS2DQ / CVTTPS2DQ xmm, xmm/m128: four floats to int32. */
function cvtps2dq(truncate: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const d = xi(cpu, ins, 0);
    const rc = truncate ? Rc.Zero : rcOf(cpu);
    for (let i = 0; i < 4; i++) cpu.x32[d + i] = toInt32(src32(cpu, tf32[i]!), rc);
  };
}

/** CVTDQ2PD xmm, xmm/m64: two int32 to doubles (exact). */
function cvtdq2pd(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1);
  const d = xi(cpu, ins, 0);
  const a = t32[0]!;
  const b = t32[1]!;
  cpu.xf64[d >> 1] = a;
  cpu.xf64[(d >> 1) + 1] = b;
}

/** CVTPD2DQ / CVTTPD2DQ xmm, xmm/m128: two doubles to int32 in the low half; the high half is zeroed. */
function cvtpd2dq(truncate: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const d = xi(cpu, ins, 0);
    const rc = truncate ? Rc.Zero : rcOf(cpu);
    const x = cpu.x32;
    x[d] = toInt32(src64(cpu, tf64[0]!), rc);
    x[d + 1] = toInt32(src64(cpu, tf64[1]!), rc);
    x[d + 2] = 0;
    x[d + 3] = 0;
  };
}

export function installSseConvert(def: Define): void {
  def(M.Cvtsi2sd, cvtsi2(true));
  def(M.Cvtsi2ss, cvtsi2(false));
  def(M.Cvttsd2si, cvt2si(true, true));
  def(M.Cvttss2si, cvt2si(false, true));
  def(M.Cvtsd2si, cvt2si(true, false));
  def(M.Cvtss2si, cvt2si(false, false));
  def(M.Cvtss2sd, cvtss2sd);
  def(M.Cvtsd2ss, cvtsd2ss);
  def(M.Cvtps2pd, cvtps2pd);
  def(M.Cvtpd2ps, cvtpd2ps);
  def(M.Cvtdq2ps, cvtdq2ps);
  def(M.Cvtps2dq, cvtps2dq(false));
  def(M.Cvttps2dq, cvtps2dq(true));
  def(M.Cvtdq2pd, cvtdq2pd);
  def(M.Cvtpd2dq, cvtpd2dq(false));
  def(M.Cvttpd2dq, cvtpd2dq(true));
}
