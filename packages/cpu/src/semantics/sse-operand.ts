import { type Instruction, OpKind, Register } from '@legosim/x86';
import { Vector } from '../constants.js';
import type { Cpu } from '../cpu.js';
import { CpuFault } from '../fault.js';

/**
 * Operands of the SSE and MMX instructions. xmm0..xmm15 and mm0..mm7 live in one register
 * file (`cpu.xmmBuffer`: 16 × 16 bytes, then 8 × 8 bytes) viewed at every element width, so
 * one handler serves the xmm form (16 bytes) and the MMX form (8 bytes) of an instruction.
 * A source operand is first copied into `tmp` (also viewed at every width); handlers then
 * work in place on the destination register.
 */

const tmp = new ArrayBuffer(16);
export const t8: Uint8Array = new Uint8Array(tmp);
export const t16: Uint16Array = new Uint16Array(tmp);
export const t32: Int32Array = new Int32Array(tmp);
export const tf32: Float32Array = new Float32Array(tmp);
export const tf64: Float64Array = new Float64Array(tmp);

/** A second scratch register for handlers that read the destination while writing it (PACKxx, PUNPCKxx). */
const tmp2 = new ArrayBuffer(16);
export const u8: Uint8Array = new Uint8Array(tmp2);
export const u16: Uint16Array = new Uint16Array(tmp2);
export const u32: Int32Array = new Int32Array(tmp2);
export const uf32: Float32Array = new Float32Array(tmp2);
export const uf64: Float64Array = new Float64Array(tmp2);

/** Dword index of mm0 in the register file. */
export const MM_BASE = 64;

export function isXmm(ins: Instruction, n: number): boolean {
  return ins.opKind[n] === OpKind.Register && ins.opReg[n]! >= Register.XMM0 && ins.opReg[n]! < Register.XMM0 + 16;
}

export function isMm(ins: Instruction, n: number): boolean {
  return ins.opKind[n] === OpKind.Register && ins.opReg[n]! >= Register.MM0 && ins.opReg[n]! < Register.MM0 + 8;
}

/** Whether operand n is a vector register (xmm or mm). */
export function isVec(ins: Instruction, n: number): boolean {
  return isXmm(ins, n) || isMm(ins, n);
}

/**
 * Dword index of vector register operand n's element 0. An MMX register access is the x87 →
 * MMX transition of SDM Vol. 1 §9.5.1: TOP becomes 0 and every tag valid. (The model keeps
 * mm0..mm7 apart from the x87 significands: code that reads an MMX value back through x87
 * loads or FXSAVE's register slots is not modeled.)
 */
export function xi(cpu: Cpu, ins: Instruction, n: number): number {
  const r = ins.opReg[n]!;
  if (r >= Register.MM0 && r < Register.MM0 + 8) {
    cpu.fpu.top = 0;
    cpu.fpu.emptyMask = 0;
    return MM_BASE + (r - Register.MM0) * 2;
  }
  return (r - Register.XMM0) * 4;
}

/** Width in bytes of the vector register operand n: 8 for mm, 16 for xmm. */
export function vlen(ins: Instruction, n = 0): 8 | 16 {
  return isMm(ins, n) ? 8 : 16;
}

function alignCheck(la: number): void {
  if (la % 16 !== 0) throw new CpuFault(Vector.GP, 0);
}

/** Loads operand n (xmm, mm, memory of its size, or GPR/immediate) into `tmp`, zero-filling the rest. */
export function load(cpu: Cpu, ins: Instruction, n: number, aligned = false): void {
  const kind = ins.opKind[n];
  if (kind === OpKind.Register) {
    const r = ins.opReg[n]!;
    if (r >= Register.XMM0 && r < Register.XMM0 + 16) {
      const s = (r - Register.XMM0) * 4;
      const x = cpu.x32;
      t32[0] = x[s]!;
      t32[1] = x[s + 1]!;
      t32[2] = x[s + 2]!;
      t32[3] = x[s + 3]!;
      return;
    }
    if (r >= Register.MM0 && r < Register.MM0 + 8) {
      const s = xi(cpu, ins, n);
      const x = cpu.x32;
      t32[0] = x[s]!;
      t32[1] = x[s + 1]!;
      t32[2] = t32[3] = 0;
      return;
    }
  } else if (kind === OpKind.Memory) {
    const la = cpu.ea(ins);
    const size = ins.opSize[n]!;
    if (aligned && size === 16) alignCheck(la);
    t32[1] = t32[2] = t32[3] = 0;
    if (size >= 8) {
      t32[0] = cpu.read64(la);
      t32[1] = cpu.vhi;
      if (size === 16) {
        t32[2] = cpu.read64(la + 8);
        t32[3] = cpu.vhi;
      }
    } else if (size === 4) t32[0] = cpu.read32(la);
    else if (size === 2) t32[0] = cpu.read16(la);
    else t32[0] = cpu.read8(la);
    return;
  }
  // general-purpose register or immediate
  t32[0] = cpu.readOp(ins, n);
  t32[1] = ins.opSize[n] === 8 ? cpu.vhi : 0;
  t32[2] = t32[3] = 0;
}

/** Stores the low `size` bytes of `tmp` to operand n (memory or GPR); vector destinations use `setVec`. */
export function storeTmp(cpu: Cpu, ins: Instruction, n: number, size: number, aligned = false): void {
  if (ins.opKind[n] === OpKind.Memory) {
    const la = cpu.ea(ins);
    if (aligned && size === 16) alignCheck(la);
    if (size === 16) {
      cpu.write64(la + 8, t32[2]!, t32[3]!);
      cpu.write64(la, t32[0]!, t32[1]!);
    } else if (size === 8) cpu.write64(la, t32[0]!, t32[1]!);
    else if (size === 4) cpu.write32(la, t32[0]!);
    else cpu.write16(la, t32[0]!);
    return;
  }
  cpu.writeOp(ins, n, t32[0]!, size === 8 ? t32[1]! : 0);
}

/** Writes `tmp` to vector register operand n (all 16 bytes of an xmm, 8 of an mm). */
export function setVec(cpu: Cpu, ins: Instruction, n: number): void {
  const d = xi(cpu, ins, n);
  const x = cpu.x32;
  x[d] = t32[0]!;
  x[d + 1] = t32[1]!;
  if (d < MM_BASE) {
    x[d + 2] = t32[2]!;
    x[d + 3] = t32[3]!;
  }
}
