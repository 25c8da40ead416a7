import { type Instruction, Mnemonic as M, OpKind } from '@legosim/x86';
import { Rflags } from '../constants.js';
import type { Cpu } from '../cpu.js';
import { FlagOp } from '../flags.js';
import { out, SIZE_MASK, sar64, shl64, shr64 } from './arith.js';
import type { Define } from './define.js';

/**
 * Shifts and rotates (SDM "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD", "SHRD").
 * A masked count of 0 changes no flags. For counts above 1 the SDM leaves OF undefined;
 * the model computes it with the count-1 formula, as the AMD host does for these forms.
 * AF is undefined after a shift; the model clears it.
 */

function count(cpu: Cpu, ins: Instruction, n: number, size: number): number {
  let c: number;
  if (ins.opCount <= n) c = 1; // the D0/D1 "by 1" forms may carry the 1 implicitly
  else if (ins.opKind[n] === OpKind.Immediate) c = ins.immLo;
  else c = cpu.readOp(ins, n);
  return c & (size === 8 ? 63 : 31);
}

/** Sets CF/OF eagerly and SF/ZF/PF from the result. */
function resultFlags(cpu: Cpu, size: number, r: number, rHi: number, cf: number, of: boolean): void {
  const f = cpu.flags;
  f.set(FlagOp.Logic, size, 0, 0, 0, 0, r, rHi);
  let s = f.status() & ~(Rflags.CF | Rflags.OF | Rflags.AF);
  if (cf) s |= Rflags.CF;
  if (of) s |= Rflags.OF;
  cpu.setStatusFlags(s);
}

function msb(v: number, vHi: number, size: number): number {
  if (size === 8) return vHi >>> 31;
  return (v >>> (size * 8 - 1)) & 1;
}

function shift(kind: 'shl' | 'shr' | 'sar') {
  return (cpu: Cpu, ins: Instruction): void => {
    const size = ins.opSize[0]!;
    const c = count(cpu, ins, 1, size);
    let x = cpu.readOp(ins, 0);
    const xHi = cpu.vhi;
    if (c === 0) return;
    const bits = size * 8;
    let r: number;
    let rHi = 0;
    let cf: number;
    if (size === 8) {
      if (kind === 'shl') {
        r = shl64(x, xHi, c);
        rHi = out.hi;
        const b = 64 - c;
        cf = b < 32 ? (x >>> b) & 1 : (xHi >>> (b - 32)) & 1;
      } else {
        r = kind === 'shr' ? shr64(x, xHi, c) : sar64(x, xHi, c);
        rHi = out.hi;
        const b = c - 1;
        cf = b < 32 ? (x >>> b) & 1 : (xHi >>> (b - 32)) & 1;
      }
    } else {
      x &= SIZE_MASK[size]!;
      if (kind === 'shl') {
        cf = c <= bits ? (x >>> (bits - c)) & 1 : 0;
        r = c >= 32 ? 0 : (x << c) & SIZE_MASK[size]!;
      } else if (kind === 'shr') {
        cf = c <= bits ? (x >>> (c - 1)) & 1 : 0;
        r = c >= 32 ? 0 : x >>> c;
      } else {
        const sx = size === 4 ? x | 0 : size === 2 ? (x << 16) >> 16 : (x << 24) >> 24;
        cf = (sx >> Math.min(c - 1, 31)) & 1;
        r = (sx >> Math.min(c, 31)) & SIZE_MASK[size]!;
      }
      if (size === 4) r |= 0;
    }
    let of: boolean;
    if (kind === 'shl') of = (msb(r, rHi, size) ^ cf) !== 0;
    else if (kind === 'shr') of = c === 1 ? msb(x, xHi, size) !== 0 : false;
    else of = false;
    cpu.writeOp(ins, 0, r, rHi);
    resultFlags(cpu, size, r, rHi, cf, of);
  };
}

function rotate(left: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const size = ins.opSize[0]!;
    const raw = count(cpu, ins, 1, size);
    const x0 = cpu.readOp(ins, 0);
    const xHi = cpu.vhi;
    if (raw === 0) return;
    const bits = size * 8;
    const c = raw % bits;
    let r: number;
    let rHi = 0;
    if (size === 8) {
      if (c === 0) {
        r = x0;
        rHi = xHi;
      } else if (left) {
        const l = shl64(x0, xHi, c);
        const lHi = out.hi;
        const rr = shr64(x0, xHi, 64 - c);
        r = l | rr;
        rHi = lHi | out.hi;
      } else {
        const l = shr64(x0, xHi, c);
        const lHi = out.hi;
        const rr = shl64(x0, xHi, 64 - c);
        r = l | rr;
        rHi = lHi | out.hi;
      }
    } else {
      const x = x0 & SIZE_MASK[size]!;
      if (c === 0) r = x;
      else if (size === 4) r = left ? (x << c) | (x >>> (32 - c)) : (x >>> c) | (x << (32 - c));
      else r = (left ? (x << c) | (x >>> (bits - c)) : (x >>> c) | (x << (bits - c))) & SIZE_MASK[size]!;
    }
    cpu.writeOp(ins, 0, r, rHi);
    let cf: number;
    let of: boolean;
    if (left) {
      cf = r & 1;
      of = (msb(r, rHi, size) ^ cf) !== 0;
    } else {
      cf = msb(r, rHi, size);
      const second = size === 8 ? (rHi >>> 30) & 1 : (r >>> (bits - 2)) & 1;
      of = (cf ^ second) !== 0;
    }
    // only CF and OF change: keep the others lazy rather than computing them now
    if (cpu.flags.op !== FlagOp.Eager) {
      cpu.flags.rotate(cf, of);
      return;
    }
    let s = cpu.rflags & ~(Rflags.CF | Rflags.OF);
    if (cf) s |= Rflags.CF;
    if (of) s |= Rflags.OF;
    cpu.setStatusFlags(s);
  };
}

/** RCL/RCR rotate through CF, one bit at a time (rare; the count is at most 64). */
function rotateCarry(left: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const size = ins.opSize[0]!;
    const raw = count(cpu, ins, 1, size);
    let x = cpu.readOp(ins, 0);
    let xHi = size === 8 ? cpu.vhi : 0;
    if (size < 4) x &= SIZE_MASK[size]!;
    if (raw === 0) return;
    const bits = size * 8;
    const c = size < 4 ? raw % (bits + 1) : raw;
    let cf = cpu.cf() ? 1 : 0;
    for (let i = 0; i < c; i++) {
      if (left) {
        const top = msb(x, xHi, size);
        if (size === 8) {
          xHi = (xHi << 1) | (x >>> 31);
          x = (x << 1) | cf;
        } else x = ((x << 1) | cf) & (size === 4 ? -1 : SIZE_MASK[size]!);
        cf = top;
      } else {
        const low = x & 1;
        if (size === 8) {
          x = (x >>> 1) | (xHi << 31);
          xHi = (xHi >>> 1) | (cf << 31);
        } else x = (x >>> 1) | (cf << (bits - 1));
        cf = low;
      }
    }
    if (size === 4) x |= 0;
    cpu.writeOp(ins, 0, x, xHi);
    const of = left ? (msb(x, xHi, size) ^ cf) !== 0 : (msb(x, xHi, size) ^ (size === 8 ? (xHi >>> 30) & 1 : (x >>> (bits - 2)) & 1)) !== 0;
    let s = cpu.getRflags() & ~(Rflags.CF | Rflags.OF);
    if (cf) s |= Rflags.CF;
    if (of) s |= Rflags.OF;
    cpu.setStatusFlags(s);
  };
}

/** SHLD/SHRD r/m, r, imm8|CL. */
function doubleShift(left: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const size = ins.opSize[0]!;
    const c = count(cpu, ins, 2, size);
    let d = cpu.readOp(ins, 0);
    let dHi = cpu.vhi;
    let s = cpu.readOp(ins, 1);
    let sHi = cpu.vhi;
    if (c === 0) return;
    let r: number;
    let rHi = 0;
    let cf: number;
    if (size === 8) {
      if (left) {
        const l = shl64(d, dHi, c);
        const lHi = out.hi;
        const rr = shr64(s, sHi, 64 - c);
        r = l | rr;
        rHi = lHi | out.hi;
        const b = 64 - c;
        cf = b < 32 ? (d >>> b) & 1 : (dHi >>> (b - 32)) & 1;
      } else {
        const l = shr64(d, dHi, c);
        const lHi = out.hi;
        const rr = shl64(s, sHi, 64 - c);
        r = l | rr;
        rHi = lHi | out.hi;
        const b = c - 1;
        cf = b < 32 ? (d >>> b) & 1 : (dHi >>> (b - 32)) & 1;
      }
    } else if (size === 4) {
      if (left) {
        r = (d << c) | (s >>> (32 - c));
        cf = (d >>> (32 - c)) & 1;
      } else {
        r = (d >>> c) | (s << (32 - c));
        cf = (d >>> (c - 1)) & 1;
      }
      r |= 0;
    } else {
      // 16-bit: the SDM leaves counts above 16 undefined; model the 32-bit concatenation.
      d &= 0xffff;
      s &= 0xffff;
      const cat = left ? ((d << 16) | s) >>> 0 : ((s << 16) | d) >>> 0;
      if (left) {
        r = ((cat << c) >>> 16) & 0xffff;
        cf = (cat >>> (32 - c)) & 1;
      } else {
        r = (cat >>> c) & 0xffff;
        cf = (cat >>> (c - 1)) & 1;
      }
      dHi = 0;
      sHi = 0;
    }
    const of = (msb(r, rHi, size) ^ msb(d, dHi, size)) !== 0;
    cpu.writeOp(ins, 0, r, rHi);
    resultFlags(cpu, size, r, rHi, cf, of);
  };
}

export function installShifts(def: Define): void {
  def(M.Shl, shift('shl'));
  def(M.Shr, shift('shr'));
  def(M.Sar, shift('sar'));
  def(M.Rol, rotate(true));
  def(M.Ror, rotate(false));
  def(M.Rcl, rotateCarry(true));
  def(M.Rcr, rotateCarry(false));
  def(M.Shld, doubleShift(true));
  def(M.Shrd, doubleShift(false));
}
