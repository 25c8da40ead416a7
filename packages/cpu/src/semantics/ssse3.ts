import { type Instruction, Mnemonic as M } from '@legosim/x86';
import type { Cpu } from '../cpu.js';
import type { Define } from './define.js';
import { load, setVec, t8, t16, t32, u8, u16, u32, vlen, xi } from './sse-operand.js';

/**
 * SSE3 duplicating moves (MOVDDUP, MOVSHDUP, MOVSLDUP) and SSSE3 (SDM Vol. 2: PABSx, PSIGNx,
 * PSHUFB, PALIGNR, PHADDx/PHSUBx, PMADDUBSW, PMULHRSW), xmm and MMX forms.
 */

const sx8 = (v: number): number => (v << 24) >> 24;
const sx16 = (v: number): number => (v << 16) >> 16;
const sat16s = (v: number): number => Math.min(32767, Math.max(-32768, v));

/** MOVDDUP xmm, xmm/m64: the low double in both halves. */
function movddup(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1);
  t32[2] = t32[0]!;
  t32[3] = t32[1]!;
  setVec(cpu, ins, 0);
}

/** MOVSHDUP / MOVSLDUP: the odd (even) floats duplicated. */
function movsdup(high: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const o = high ? 1 : 0;
    const a = t32[o]!;
    const b = t32[2 + o]!;
    t32[0] = t32[1] = a;
    t32[2] = t32[3] = b;
    setVec(cpu, ins, 0);
  };
}

/** PABSB/PABSW/PABSD: |src| per element (the most negative value stays as it is). */
function pabs(width: 1 | 2 | 4) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const n = vlen(ins) / width;
    const d = xi(cpu, ins, 0);
    if (width === 1) for (let i = 0; i < n; i++) cpu.x8[d * 4 + i] = Math.abs(sx8(t8[i]!));
    else if (width === 2) for (let i = 0; i < n; i++) cpu.x16[d * 2 + i] = Math.abs(sx16(t16[i]!));
    else for (let i = 0; i < n; i++) cpu.x32[d + i] = Math.abs(t32[i]!) | 0;
  };
}

/** PSIGNB/PSIGNW/PSIGND: dst negated, zeroed or kept as the source element is <0, 0 or >0. */
function psign(width: 1 | 2 | 4) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const n = vlen(ins) / width;
    const d = xi(cpu, ins, 0);
    for (let i = 0; i < n; i++) {
      if (width === 1) {
        const s = sx8(t8[i]!);
        const x = cpu.x8;
        x[d * 4 + i] = s < 0 ? -x[d * 4 + i]! : s === 0 ? 0 : x[d * 4 + i]!;
      } else if (width === 2) {
        const s = sx16(t16[i]!);
        const x = cpu.x16;
        x[d * 2 + i] = s < 0 ? -x[d * 2 + i]! : s === 0 ? 0 : x[d * 2 + i]!;
      } else {
        const s = t32[i]!;
        const x = cpu.x32;
        x[d + i] = s < 0 ? -x[d + i]! | 0 : s === 0 ? 0 : x[d + i]!;
      }
    }
  };
}

/** PSHUFB: each byte selects a byte of the old destination, or zero when its bit 7 is set. */
function pshufb(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const n = vlen(ins);
  const x = cpu.x8;
  const d = xi(cpu, ins, 0) * 4;
  for (let i = 0; i < n; i++) u8[i] = x[d + i]!;
  for (let i = 0; i < n; i++) {
    const m = t8[i]!;
    x[d + i] = m & 0x80 ? 0 : u8[m & (n - 1)]!;
  }
}

/** PALIGNR: dst:src (dst high) shifted right by imm8 bytes, the low half kept. */
function palignr(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const n = vlen(ins);
  const x = cpu.x8;
  const d = xi(cpu, ins, 0) * 4;
  const shift = ins.immLo & 0xff;
  for (let i = 0; i < n; i++) u8[i] = x[d + i]!;
  for (let i = 0; i < n; i++) {
    const k = i + shift;
    x[d + i] = k < n ? t8[k]! : k < 2 * n ? u8[k - n]! : 0;
  }
}

type Pair = (a: number, b: number) => number;

/** PHADDW/PHSUBW/PHADDSW/PHSUBSW: pairs of words of the destination, then of the source. */
function phWords(f: Pair) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const n = vlen(ins) >> 1;
    const x = cpu.x16;
    const d = xi(cpu, ins, 0) * 2;
    for (let i = 0; i < n; i++) u16[i] = x[d + i]!;
    const h = n >> 1;
    for (let i = 0; i < h; i++) {
      x[d + i] = f(sx16(u16[2 * i]!), sx16(u16[2 * i + 1]!));
      x[d + h + i] = f(sx16(t16[2 * i]!), sx16(t16[2 * i + 1]!));
    }
  };
}

function phDwords(sub: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const n = vlen(ins) >> 2;
    const x = cpu.x32;
    const d = xi(cpu, ins, 0);
    for (let i = 0; i < n; i++) u32[i] = x[d + i]!;
    const h = n >> 1;
    for (let i = 0; i < h; i++) {
      x[d + i] = sub ? (u32[2 * i]! - u32[2 * i + 1]!) | 0 : (u32[2 * i]! + u32[2 * i + 1]!) | 0;
      x[d + h + i] = sub ? (t32[2 * i]! - t32[2 * i + 1]!) | 0 : (t32[2 * i]! + t32[2 * i + 1]!) | 0;
    }
  };
}

/** PMADDUBSW: unsigned dst bytes × signed src bytes, adjacent products added with signed saturation. */
function pmaddubsw(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const n = vlen(ins) >> 1;
  const x8 = cpu.x8;
  const d = xi(cpu, ins, 0);
  for (let i = 0; i < n; i++) {
    const b = d * 4 + 2 * i;
    const v = x8[b]! * sx8(t8[2 * i]!) + x8[b + 1]! * sx8(t8[2 * i + 1]!);
    cpu.x16[d * 2 + i] = sat16s(v);
  }
}

/** PMULHRSW: (a·b >> 14) + 1 >> 1 on signed words: the rounded high half of a Q15 product. */
function pmulhrsw(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const n = vlen(ins) >> 1;
  const x = cpu.x16;
  const d = xi(cpu, ins, 0) * 2;
  for (let i = 0; i < n; i++) x[d + i] = (((sx16(x[d + i]!) * sx16(t16[i]!)) >> 14) + 1) >> 1;
}

export function installSsse3(def: Define): void {
  def(M.Movddup, movddup);
  def(M.Movshdup, movsdup(true));
  def(M.Movsldup, movsdup(false));
  def(M.Pabsb, pabs(1));
  def(M.Pabsw, pabs(2));
  def(M.Pabsd, pabs(4));
  def(M.Psignb, psign(1));
  def(M.Psignw, psign(2));
  def(M.Psignd, psign(4));
  def(M.Pshufb, pshufb);
  def(M.Palignr, palignr);
  def(M.Phaddw, phWords((a, b) => a + b));
  def(M.Phsubw, phWords((a, b) => a - b));
  def(M.Phaddsw, phWords((a, b) => sat16s(a + b)));
  def(M.Phsubsw, phWords((a, b) => sat16s(a - b)));
  def(M.Phaddd, phDwords(false));
  def(M.Phsubd, phDwords(true));
  def(M.Pmaddubsw, pmaddubsw);
  def(M.Pmulhrsw, pmulhrsw);
}
