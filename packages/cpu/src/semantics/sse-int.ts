import { type Instruction, Mnemonic as M, OpKind } from '@legosim/x86';
import type { Cpu } from '../cpu.js';
import type { Define } from './define.js';
import { load, t8, t16, t32, u8, u16, u32, vlen, xi } from './sse-operand.js';

/**
 * Packed integer arithmetic of MMX, SSE and SSE2 (SDM Vol. 2: PADDx..PSADBW, PACKxx,
 * PUNPCKxx, shifts, compares, PEXTRW/PINSRW, MASKMOVDQU). Every handler serves both the
 * MMX form (8-byte mm registers) and the xmm form (16 bytes): the lane count comes from
 * the destination's width.
 */

const sx8 = (v: number): number => (v << 24) >> 24;
const sx16 = (v: number): number => (v << 16) >> 16;
const sat8s = (v: number): number => Math.min(127, Math.max(-128, v));
const sat8u = (v: number): number => Math.min(255, Math.max(0, v));
const sat16s = (v: number): number => Math.min(32767, Math.max(-32768, v));
const sat16u = (v: number): number => Math.min(65535, Math.max(0, v));

type Lane = (a: number, b: number) => number;

/** dst[i] = f(dst[i], src[i]) over the byte lanes (values are unsigned; the store wraps). */
function bytes(f: Lane) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const n = vlen(ins);
    const x = cpu.x8;
    const d = xi(cpu, ins, 0) * 4;
    for (let i = 0; i < n; i++) x[d + i] = f(x[d + i]!, t8[i]!);
  };
}

function words(f: Lane) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const n = vlen(ins) >> 1;
    const x = cpu.x16;
    const d = xi(cpu, ins, 0) * 2;
    for (let i = 0; i < n; i++) x[d + i] = f(x[d + i]!, t16[i]!);
  };
}

function dwords(f: Lane) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const n = vlen(ins) >> 2;
    const x = cpu.x32;
    const d = xi(cpu, ins, 0);
    for (let i = 0; i < n; i++) x[d + i] = f(x[d + i]!, t32[i]!);
  };
}

/** PADDQ/PSUBQ: 64-bit lanes as 32-bit halves with a carry/borrow. */
function paddq(sub: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const n = vlen(ins) >> 2;
    const x = cpu.x32;
    const d = xi(cpu, ins, 0);
    for (let q = 0; q < n; q += 2) {
      const aLo = x[d + q]!;
      const aHi = x[d + q + 1]!;
      const bLo = t32[q]!;
      const bHi = t32[q + 1]!;
      if (sub) {
        x[d + q] = (aLo - bLo) | 0;
        x[d + q + 1] = (aHi - bHi - (aLo >>> 0 < bLo >>> 0 ? 1 : 0)) | 0;
      } else {
        const lo = (aLo + bLo) | 0;
        x[d + q] = lo;
        x[d + q + 1] = (aHi + bHi + (lo >>> 0 < aLo >>> 0 ? 1 : 0)) | 0;
      }
    }
  };
}

/** PMULUDQ: the unsigned 64-bit product of the low dword of each qword, exact in 16-bit pieces. */
function pmuludq(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const n = vlen(ins) >> 2;
  const x = cpu.x32;
  const d = xi(cpu, ins, 0);
  for (let q = 0; q < n; q += 2) {
    const a = x[d + q]! >>> 0;
    const b = t32[q]! >>> 0;
    const ah = a >>> 16;
    const al = a & 0xffff;
    const bh = b >>> 16;
    const bl = b & 0xffff;
    const mid = ah * bl + al * bh; // < 2^33
    const low = al * bl + (mid % 65536) * 65536; // < 2^33
    x[d + q] = low % 4294967296 | 0;
    x[d + q + 1] = (ah * bh + Math.floor(mid / 65536) + Math.floor(low / 4294967296)) | 0;
  }
}

/** PMADDWD: signed word products added in pairs into dwords (only 0x8000·0x8000·2 wraps). */
function pmaddwd(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const n = vlen(ins) >> 2;
  const x16 = cpu.x16;
  const x = cpu.x32;
  const d = xi(cpu, ins, 0);
  for (let i = 0; i < n; i++) {
    const w = (d + i) * 2;
    const p = sx16(x16[w]!) * sx16(t16[2 * i]!) + sx16(x16[w + 1]!) * sx16(t16[2 * i + 1]!);
    x[d + i] = p | 0;
  }
}

/** PSADBW: the sum of absolute byte differences of each 8-byte group, in the group's low word. */
function psadbw(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const n = vlen(ins);
  const x8 = cpu.x8;
  const x = cpu.x32;
  const d = xi(cpu, ins, 0);
  for (let g = 0; g < n; g += 8) {
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += Math.abs(x8[d * 4 + g + i]! - t8[g + i]!);
    x[d + (g >> 2)] = sum;
    x[d + (g >> 2) + 1] = 0;
  }
}

/** PACKSSWB/PACKUSWB: the destination's words then the source's, saturated to bytes. */
function packWords(sat: (v: number) => number) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const n = vlen(ins) >> 1; // words per operand
    const d = xi(cpu, ins, 0);
    const x16 = cpu.x16;
    for (let i = 0; i < n; i++) u16[i] = x16[d * 2 + i]!;
    const x8 = cpu.x8;
    for (let i = 0; i < n; i++) {
      x8[d * 4 + i] = sat(sx16(u16[i]!));
      x8[d * 4 + n + i] = sat(sx16(t16[i]!));
    }
  };
}

/** PACKSSDW: the destination's dwords then the source's, saturated to signed words. */
function packssdw(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const n = vlen(ins) >> 2;
  const d = xi(cpu, ins, 0);
  const x = cpu.x32;
  for (let i = 0; i < n; i++) u32[i] = x[d + i]!;
  const x16 = cpu.x16;
  for (let i = 0; i < n; i++) {
    x16[d * 2 + i] = sat16s(u32[i]!);
    x16[d * 2 + n + i] = sat16s(t32[i]!);
  }
}

/** PUNPCKLxx/PUNPCKHxx (and UNPCKLPx/UNPCKHPx): interleave `width`-byte elements of the low or high halves. */
function unpack(width: 1 | 2 | 4 | 8, high: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const len = vlen(ins);
    const x = cpu.x8;
    const d = xi(cpu, ins, 0) * 4;
    for (let i = 0; i < len; i++) u8[i] = x[d + i]!;
    const half = len >> 1;
    const base = high ? half : 0;
    const n = half / width;
    for (let e = 0; e < n; e++) {
      for (let b = 0; b < width; b++) {
        x[d + 2 * e * width + b] = u8[base + e * width + b]!;
        x[d + (2 * e + 1) * width + b] = t8[base + e * width + b]!;
      }
    }
  };
}

/** Shift counts for PSRLx/PSLLx/PSRAx: an imm8, or the low 64 bits of the source operand. */
function shiftCount(cpu: Cpu, ins: Instruction): number {
  if (ins.opKind[1] === OpKind.Immediate) return ins.immLo & 0xff;
  load(cpu, ins, 1, true);
  return t32[1] !== 0 || t32[0]! >>> 0 > 255 ? 255 : t32[0]!;
}

function psShift(width: 16 | 32 | 64, kind: 'l' | 'r' | 'a') {
  return (cpu: Cpu, ins: Instruction): void => {
    const c = shiftCount(cpu, ins);
    const d = xi(cpu, ins, 0);
    const len = vlen(ins);
    if (width === 16) {
      const x = cpu.x16;
      for (let i = 0; i < len >> 1; i++) {
        const v = x[d * 2 + i]!;
        if (kind === 'a') x[d * 2 + i] = sx16(v) >> Math.min(c, 15);
        else x[d * 2 + i] = c > 15 ? 0 : kind === 'l' ? v << c : v >>> c;
      }
    } else if (width === 32) {
      const x = cpu.x32;
      for (let i = 0; i < len >> 2; i++) {
        const v = x[d + i]!;
        if (kind === 'a') x[d + i] = v >> Math.min(c, 31);
        else x[d + i] = c > 31 ? 0 : kind === 'l' ? v << c : v >>> c;
      }
    } else {
      const x = cpu.x32;
      for (let q = 0; q < len >> 2; q += 2) {
        const lo = x[d + q]!;
        const hi = x[d + q + 1]!;
        if (c > 63) {
          x[d + q] = 0;
          x[d + q + 1] = 0;
        } else if (kind === 'l') {
          if (c >= 32) {
            x[d + q + 1] = lo << (c - 32);
            x[d + q] = 0;
          } else if (c > 0) {
            x[d + q + 1] = (hi << c) | (lo >>> (32 - c));
            x[d + q] = lo << c;
          }
        } else if (c >= 32) {
          x[d + q] = hi >>> (c - 32);
          x[d + q + 1] = 0;
        } else if (c > 0) {
          x[d + q] = (lo >>> c) | (hi << (32 - c));
          x[d + q + 1] = hi >>> c;
        }
      }
    }
  };
}

/** PSRLDQ / PSLLDQ: whole-register byte shifts (xmm only). */
function psByte(right: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const n = Math.min(ins.immLo & 0xff, 16);
    const x = cpu.x8;
    const d = xi(cpu, ins, 0) * 4;
    for (let i = 0; i < 16; i++) u8[i] = x[d + i]!;
    for (let i = 0; i < 16; i++) {
      const from = right ? i + n : i - n;
      x[d + i] = from >= 0 && from < 16 ? u8[from]! : 0;
    }
  };
}

/** PEXTRW r32/m16, xmm/mm, imm8: a word, zero-extended into the register. */
function pextrw(cpu: Cpu, ins: Instruction): void {
  const s = xi(cpu, ins, 1) * 2;
  const w = cpu.x16[s + (ins.immLo & ((vlen(ins, 1) >> 1) - 1))]!;
  if (ins.opKind[0] === OpKind.Memory) cpu.write16(cpu.ea(ins), w);
  else cpu.writeOp(ins, 0, w, 0);
}

/** PINSRW xmm/mm, r32/m16, imm8. */
function pinsrw(cpu: Cpu, ins: Instruction): void {
  const v = ins.opKind[1] === OpKind.Memory ? cpu.read16(cpu.ea(ins)) : cpu.readOp(ins, 1);
  const d = xi(cpu, ins, 0) * 2;
  cpu.x16[d + (ins.immLo & ((vlen(ins) >> 1) - 1))] = v;
}

/** PSHUFW mm1, mm2/m64, imm8. */
function pshufw(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1);
  const order = ins.immLo & 0xff;
  const d = xi(cpu, ins, 0) * 2;
  const x = cpu.x16;
  for (let i = 0; i < 4; i++) x[d + i] = t16[(order >> (2 * i)) & 3]!;
}

/** MASKMOVDQU/MASKMOVQ: the bytes of the first operand whose mask byte has bit 7 set are stored at DS:rDI. */
function maskmov(cpu: Cpu, ins: Instruction): void {
  const n = vlen(ins);
  const s = xi(cpu, ins, 0) * 4;
  const m = xi(cpu, ins, 1) * 4;
  const rdi = ins.addressSize === 4 ? cpu.gpr(7) % 4294967296 : cpu.gpr(7);
  const x = cpu.x8;
  for (let i = 0; i < n; i++) if (x[m + i]! & 0x80) cpu.write8(rdi + i, x[s + i]!);
}

/** EMMS: every x87 tag empty again, ending MMX use. */
function emms(cpu: Cpu): void {
  cpu.fpu.emptyMask = 0xff;
}

export function installSseInt(def: Define): void {
  def(M.Paddb, bytes((a, b) => a + b));
  def(M.Psubb, bytes((a, b) => a - b));
  def(M.Paddw, words((a, b) => a + b));
  def(M.Psubw, words((a, b) => a - b));
  def(M.Paddd, dwords((a, b) => (a + b) | 0));
  def(M.Psubd, dwords((a, b) => (a - b) | 0));
  def(M.Paddq, paddq(false));
  def(M.Psubq, paddq(true));
  def(M.Paddsb, bytes((a, b) => sat8s(sx8(a) + sx8(b))));
  def(M.Psubsb, bytes((a, b) => sat8s(sx8(a) - sx8(b))));
  def(M.Paddsw, words((a, b) => sat16s(sx16(a) + sx16(b))));
  def(M.Psubsw, words((a, b) => sat16s(sx16(a) - sx16(b))));
  def(M.Paddusb, bytes((a, b) => sat8u(a + b)));
  def(M.Psubusb, bytes((a, b) => sat8u(a - b)));
  def(M.Paddusw, words((a, b) => sat16u(a + b)));
  def(M.Psubusw, words((a, b) => sat16u(a - b)));
  def(M.Pcmpeqb, bytes((a, b) => (a === b ? 0xff : 0)));
  def(M.Pcmpeqw, words((a, b) => (a === b ? 0xffff : 0)));
  def(M.Pcmpeqd, dwords((a, b) => (a === b ? -1 : 0)));
  def(M.Pcmpgtb, bytes((a, b) => (sx8(a) > sx8(b) ? 0xff : 0)));
  def(M.Pcmpgtw, words((a, b) => (sx16(a) > sx16(b) ? 0xffff : 0)));
  def(M.Pcmpgtd, dwords((a, b) => (a > b ? -1 : 0)));
  def(M.Pminub, bytes(Math.min));
  def(M.Pmaxub, bytes(Math.max));
  def(M.Pminsw, words((a, b) => (sx16(a) < sx16(b) ? a : b)));
  def(M.Pmaxsw, words((a, b) => (sx16(a) > sx16(b) ? a : b)));
  def(M.Pavgb, bytes((a, b) => (a + b + 1) >> 1));
  def(M.Pavgw, words((a, b) => (a + b + 1) >> 1));
  def(M.Pmullw, words((a, b) => Math.imul(a, b)));
  def(M.Pmulhw, words((a, b) => (sx16(a) * sx16(b)) >> 16));
  def(M.Pmulhuw, words((a, b) => (a * b) >>> 16));
  def(M.Pmuludq, pmuludq);
  def(M.Pmaddwd, pmaddwd);
  def(M.Psadbw, psadbw);
  def(M.Packsswb, packWords(sat8s));
  def(M.Packuswb, packWords(sat8u));
  def(M.Packssdw, packssdw);
  def(M.Punpcklbw, unpack(1, false));
  def(M.Punpcklwd, unpack(2, false));
  def(M.Punpckldq, unpack(4, false));
  def(M.Punpcklqdq, unpack(8, false));
  def(M.Punpckhbw, unpack(1, true));
  def(M.Punpckhwd, unpack(2, true));
  def(M.Punpckhdq, unpack(4, true));
  def(M.Punpckhqdq, unpack(8, true));
  def(M.Unpcklps, unpack(4, false));
  def(M.Unpckhps, unpack(4, true));
  def(M.Unpcklpd, unpack(8, false));
  def(M.Unpckhpd, unpack(8, true));
  def(M.Psrldq, psByte(true));
  def(M.Pslldq, psByte(false));
  def(M.Psrlw, psShift(16, 'r'));
  def(M.Psrld, psShift(32, 'r'));
  def(M.Psrlq, psShift(64, 'r'));
  def(M.Psllw, psShift(16, 'l'));
  def(M.Pslld, psShift(32, 'l'));
  def(M.Psllq, psShift(64, 'l'));
  def(M.Psraw, psShift(16, 'a'));
  def(M.Psrad, psShift(32, 'a'));
  def(M.Pextrw, pextrw);
  def(M.Pinsrw, pinsrw);
  def(M.Pshufw, pshufw);
  def(M.Maskmovdqu, maskmov);
  def(M.Emms, emms);
}
