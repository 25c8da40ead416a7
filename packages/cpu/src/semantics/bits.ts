import { type Instruction, Mnemonic as M, OpKind } from '@legosim/x86';
import { Rflags } from '../constants.js';
import type { Cpu } from '../cpu.js';
import type { Define } from './define.js';

/**
 * Bit instructions: BT/BTS/BTR/BTC, BSF/BSR, TZCNT/LZCNT/POPCNT, BSWAP.
 * Undefined flags (SDM): BT* leave OF, SF, AF, PF undefined — the model keeps their old
 * values; BSF/BSR leave all but ZF undefined — the model keeps them; with a zero source
 * BSF/BSR leave the destination unchanged (as both vendors implement).
 */

function setFlag(cpu: Cpu, mask: number, on: boolean): void {
  const f = cpu.getRflags();
  cpu.setStatusFlags(on ? f | mask : f & ~mask);
}

function bitTest(kind: 0 | 1 | 2 | 3) {
  // 0 bt, 1 bts, 2 btr, 3 btc
  return (cpu: Cpu, ins: Instruction): void => {
    const size = ins.opSize[0]!;
    const bits = size * 8;
    let offset = cpu.readOp(ins, 1);
    if (ins.opKind[1] === OpKind.Immediate) offset &= bits - 1;
    if (ins.opKind[0] === OpKind.Memory) {
      // a register bit offset addresses memory beyond the operand (signed)
      const signed = size === 2 ? (offset << 16) >> 16 : offset | 0;
      const byte = ins.opKind[1] === OpKind.Immediate ? 0 : Math.floor(signed / 8);
      const bit = ins.opKind[1] === OpKind.Immediate ? offset : signed & 7;
      const la = cpu.ea(ins) + byte + (ins.opKind[1] === OpKind.Immediate ? bit >> 3 : 0);
      const b = ins.opKind[1] === OpKind.Immediate ? bit & 7 : bit;
      const v = cpu.read8(la);
      const set = (v >> b) & 1;
      if (kind === 1) cpu.write8(la, v | (1 << b));
      else if (kind === 2) cpu.write8(la, v & ~(1 << b));
      else if (kind === 3) cpu.write8(la, v ^ (1 << b));
      setFlag(cpu, Rflags.CF, set !== 0);
      return;
    }
    offset &= bits - 1;
    let lo = cpu.readOp(ins, 0);
    let hi = cpu.vhi;
    const inHi = offset >= 32;
    const b = offset & 31;
    const word = inHi ? hi : lo;
    const set = (word >>> b) & 1;
    let next = word;
    if (kind === 1) next = word | (1 << b);
    else if (kind === 2) next = word & ~(1 << b);
    else if (kind === 3) next = word ^ (1 << b);
    if (kind !== 0) {
      if (inHi) hi = next;
      else lo = next;
      cpu.writeOp(ins, 0, lo, hi);
    }
    setFlag(cpu, Rflags.CF, set !== 0);
  };
}

function ctz32(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

function bitScan(reverse: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const size = ins.opSize[0]!;
    let lo = cpu.readOp(ins, 1);
    let hi = size === 8 ? cpu.vhi : 0;
    if (size === 2) lo &= 0xffff;
    if (size < 8) hi = 0;
    if ((lo | hi) === 0) {
      setFlag(cpu, Rflags.ZF, true);
      return;
    }
    let index: number;
    if (reverse) index = hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo);
    else index = lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
    cpu.writeOp(ins, 0, index, 0);
    setFlag(cpu, Rflags.ZF, false);
  };
}

/** TZCNT/LZCNT/POPCNT: CF = (source is zero) for the counts, ZF = (result is zero); OF, SF, AF, PF cleared for POPCNT. */
function count(kind: 'tz' | 'lz' | 'pop') {
  return (cpu: Cpu, ins: Instruction): void => {
    const size = ins.opSize[0]!;
    let lo = cpu.readOp(ins, 1);
    let hi = size === 8 ? cpu.vhi : 0;
    if (size === 2) lo &= 0xffff;
    if (size < 8) hi = 0;
    const bits = size * 8;
    let r: number;
    if (kind === 'pop') r = popcount32(lo) + popcount32(hi);
    else if (kind === 'tz') r = (lo | hi) === 0 ? bits : lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
    else if (size === 8) r = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
    else r = Math.clz32(lo) - (32 - bits);
    cpu.writeOp(ins, 0, r, 0);
    let f = cpu.getRflags();
    if (kind === 'pop') {
      f &= ~Rflags.Status;
      if (r === 0) f |= Rflags.ZF;
    } else {
      f &= ~(Rflags.CF | Rflags.ZF);
      if (r === bits) f |= Rflags.CF;
      if (r === 0) f |= Rflags.ZF;
    }
    cpu.setStatusFlags(f);
  };
}

function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function swap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

function bswap(cpu: Cpu, ins: Instruction): void {
  const lo = cpu.readOp(ins, 0);
  const hi = cpu.vhi;
  if (ins.opSize[0] === 8) cpu.writeOp(ins, 0, swap32(hi), swap32(lo));
  else cpu.writeOp(ins, 0, swap32(lo), 0);
}

function movbe(cpu: Cpu, ins: Instruction): void {
  const size = ins.opSize[0]!;
  const lo = cpu.readOp(ins, 1);
  const hi = cpu.vhi;
  if (size === 2) cpu.writeOp(ins, 0, ((lo & 0xff) << 8) | ((lo >> 8) & 0xff), 0);
  else if (size === 4) cpu.writeOp(ins, 0, swap32(lo), 0);
  else cpu.writeOp(ins, 0, swap32(hi), swap32(lo));
}

export function installBits(def: Define): void {
  def(M.Bt, bitTest(0));
  def(M.Bts, bitTest(1));
  def(M.Btr, bitTest(2));
  def(M.Btc, bitTest(3));
  def(M.Bsf, bitScan(false));
  def(M.Bsr, bitScan(true));
  def(M.Tzcnt, count('tz'));
  def(M.Lzcnt, count('lz'));
  def(M.Popcnt, count('pop'));
  def(M.Bswap, bswap);
  def(M.Movbe, movbe);
}
