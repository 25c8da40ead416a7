import { type Instruction, Mnemonic as M, OpKind } from '@legosim/x86';
import { Rflags } from '../constants.js';
import type { Cpu } from '../cpu.js';
import type { Define } from './define.js';
import { arith32, arith64, Op } from './sse-float.js';
import { load, setVec, t8, t16, t32, tf32, tf64, u8, u16, u32, uf32, uf64, xi } from './sse-operand.js';
import { MXCSR_RC_SHIFT, roundToInteger } from './sse-round.js';

/**
 * SSE4.1 and the SSE4.2 pieces outside the string instructions (SDM Vol. 2: PMULLD..
 * PHMINPOSUW, PMOVSX/ZX, PTEST, blends, PEXTRx/PINSRx, INSERTPS/EXTRACTPS, ROUNDxx, DPPx,
 * MPSADBW, PCMPGTQ, CRC32). xmm only: SSE4 has no MMX forms.
 */

const sx8 = (v: number): number => (v << 24) >> 24;
const sx16 = (v: number): number => (v << 16) >> 16;

type Lane = (a: number, b: number) => number;

function bytes(f: Lane) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const x = cpu.x8;
    const d = xi(cpu, ins, 0) * 4;
    for (let i = 0; i < 16; i++) x[d + i] = f(x[d + i]!, t8[i]!);
  };
}

function words(f: Lane) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const x = cpu.x16;
    const d = xi(cpu, ins, 0) * 2;
    for (let i = 0; i < 8; i++) x[d + i] = f(x[d + i]!, t16[i]!);
  };
}

function dwords(f: Lane) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const x = cpu.x32;
    const d = xi(cpu, ins, 0);
    for (let i = 0; i < 4; i++) x[d + i] = f(x[d + i]!, t32[i]!);
  };
}

/** PMULDQ: signed 64-bit products of the low dword of each qword (unsigned product, then the sign corrections). */
function pmuldq(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const x = cpu.x32;
  const d = xi(cpu, ins, 0);
  for (let q = 0; q < 4; q += 2) {
    const sa = x[d + q]!;
    const sb = t32[q]!;
    const a = sa >>> 0;
    const b = sb >>> 0;
    const ah = a >>> 16;
    const al = a & 0xffff;
    const bh = b >>> 16;
    const bl = b & 0xffff;
    const mid = ah * bl + al * bh;
    const low = al * bl + (mid % 65536) * 65536;
    let hi = ah * bh + Math.floor(mid / 65536) + Math.floor(low / 4294967296);
    // two's complement: a·b = ua·ub − 2^32·(a<0 ? ub : 0) − 2^32·(b<0 ? ua : 0)  (mod 2^64)
    if (sa < 0) hi -= b;
    if (sb < 0) hi -= a;
    x[d + q] = low % 4294967296 | 0;
    x[d + q + 1] = hi | 0;
  }
}

/** PCMPEQQ / PCMPGTQ: 64-bit lanes, signed for GT. */
function pcmpq(gt: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const x = cpu.x32;
    const d = xi(cpu, ins, 0);
    for (let q = 0; q < 4; q += 2) {
      const aLo = x[d + q]! >>> 0;
      const aHi = x[d + q + 1]!;
      const bLo = t32[q]! >>> 0;
      const bHi = t32[q + 1]!;
      const r = gt ? aHi > bHi || (aHi === bHi && aLo > bLo) : aHi === bHi && aLo === bLo;
      x[d + q] = x[d + q + 1] = r ? -1 : 0;
    }
  };
}

/** PACKUSDW: signed dwords of dst then src, saturated to unsigned words. */
function packusdw(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const d = xi(cpu, ins, 0);
  const x = cpu.x32;
  for (let i = 0; i < 4; i++) u32[i] = x[d + i]!;
  const x16 = cpu.x16;
  for (let i = 0; i < 4; i++) {
    x16[d * 2 + i] = Math.min(65535, Math.max(0, u32[i]!));
    x16[d * 2 + 4 + i] = Math.min(65535, Math.max(0, t32[i]!));
  }
}

/** PMOVSXxx/PMOVZXxx: the low elements of the source widened from `from` to `to` bytes. */
function pmovx(from: 1 | 2 | 4, to: 2 | 4 | 8, signed: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1);
    const n = 16 / to;
    for (let i = 0; i < n; i++) {
      const v = from === 1 ? (signed ? sx8(t8[i]!) : t8[i]!) : from === 2 ? (signed ? sx16(t16[i]!) : t16[i]!) : signed ? t32[i]! : t32[i]! >>> 0;
      if (to === 2) u16[i] = v;
      else if (to === 4) u32[i] = v;
      else {
        u32[2 * i] = v;
        u32[2 * i + 1] = signed && v < 0 ? -1 : 0;
      }
    }
    for (let i = 0; i < 4; i++) t32[i] = u32[i]!;
    setVec(cpu, ins, 0);
  };
}

/** PTEST: ZF = (dst AND src) = 0, CF = (NOT dst AND src) = 0; OF, SF, AF, PF cleared. */
function ptest(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const x = cpu.x32;
  const d = xi(cpu, ins, 0);
  let and = 0;
  let andn = 0;
  for (let i = 0; i < 4; i++) {
    and |= x[d + i]! & t32[i]!;
    andn |= ~x[d + i]! & t32[i]!;
  }
  let f = cpu.getRflags() & ~Rflags.Status;
  if (and === 0) f |= Rflags.ZF;
  if (andn === 0) f |= Rflags.CF;
  cpu.setStatusFlags(f);
}

/** PBLENDW/BLENDPS/BLENDPD: imm8 bit i takes element i (of `width` bytes) from the source. */
function blendImm(width: 2 | 4 | 8) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const imm = ins.immLo & 0xff;
    const x = cpu.x16;
    const d = xi(cpu, ins, 0) * 2;
    const w = width >> 1; // words per element
    for (let e = 0; e < 8 / w; e++) if ((imm >> e) & 1) for (let k = 0; k < w; k++) x[d + e * w + k] = t16[e * w + k]!;
  };
}

/** PBLENDVB/BLENDVPS/BLENDVPD: the top bit of each element of xmm0 picks the source. */
function blendVar(width: 1 | 4 | 8) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const x = cpu.x8;
    const d = xi(cpu, ins, 0) * 4;
    for (let e = 0; e < 16; e += width) if (x[e + width - 1]! & 0x80) for (let k = 0; k < width; k++) x[d + e + k] = t8[e + k]!;
  };
}

/** PEXTRB/PEXTRW(m16 form)/PEXTRD/PEXTRQ/EXTRACTPS r/m, xmm, imm8: a register destination is zero-extended. */
function pextr(width: 1 | 4 | 8) {
  return (cpu: Cpu, ins: Instruction): void => {
    const s = xi(cpu, ins, 1);
    const n = 16 / width;
    const i = ins.immLo & (n - 1);
    let lo: number;
    let hi = 0;
    if (width === 1) lo = cpu.x8[s * 4 + i]!;
    else if (width === 4) lo = cpu.x32[s + i]!;
    else {
      lo = cpu.x32[s + 2 * i]!;
      hi = cpu.x32[s + 2 * i + 1]!;
    }
    if (ins.opKind[0] === OpKind.Memory) {
      const la = cpu.ea(ins);
      if (width === 1) cpu.write8(la, lo);
      else if (width === 4) cpu.write32(la, lo);
      else cpu.write64(la, lo, hi);
    } else cpu.writeOp(ins, 0, lo, hi);
  };
}

/** PINSRB/PINSRD/PINSRQ xmm, r/m, imm8. */
function pinsr(width: 1 | 4 | 8) {
  return (cpu: Cpu, ins: Instruction): void => {
    const d = xi(cpu, ins, 0);
    const i = ins.immLo & (16 / width - 1);
    if (ins.opKind[1] === OpKind.Memory) load(cpu, ins, 1);
    else {
      t32[0] = cpu.readOp(ins, 1);
      t32[1] = cpu.vhi;
    }
    if (width === 1) cpu.x8[d * 4 + i] = t32[0]!;
    else if (width === 4) cpu.x32[d + i] = t32[0]!;
    else {
      cpu.x32[d + 2 * i] = t32[0]!;
      cpu.x32[d + 2 * i + 1] = t32[1]!;
    }
  };
}

/** INSERTPS xmm1, xmm2/m32, imm8: a float (imm[7:6] selects it from a register) into lane imm[5:4], then zero mask imm[3:0]. */
function insertps(cpu: Cpu, ins: Instruction): void {
  const imm = ins.immLo & 0xff;
  load(cpu, ins, 1);
  const v = ins.opKind[1] === OpKind.Memory ? t32[0]! : t32[(imm >> 6) & 3]!;
  const d = xi(cpu, ins, 0);
  const x = cpu.x32;
  x[d + ((imm >> 4) & 3)] = v;
  for (let i = 0; i < 4; i++) if ((imm >> i) & 1) x[d + i] = 0;
}

/** MOVNTDQA xmm, m128: an aligned load. */
function movntdqa(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  setVec(cpu, ins, 0);
}

/** PHMINPOSUW: the smallest unsigned word and its (lowest) index; the rest is zeroed. */
function phminposuw(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  let min = t16[0]!;
  let at = 0;
  for (let i = 1; i < 8; i++) {
    if (t16[i]! < min) {
      min = t16[i]!;
      at = i;
    }
  }
  const d = xi(cpu, ins, 0);
  const x = cpu.x32;
  x[d] = min | (at << 16);
  x[d + 1] = x[d + 2] = x[d + 3] = 0;
}

/** MPSADBW: eight sums of absolute differences of a 4-byte source block against sliding destination windows. */
function mpsadbw(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const imm = ins.immLo & 0xff;
  const s = (imm & 3) * 4;
  const o = ((imm >> 2) & 1) * 4;
  const d = xi(cpu, ins, 0);
  const x = cpu.x8;
  for (let i = 0; i < 16; i++) u8[i] = x[d * 4 + i]!;
  for (let i = 0; i < 8; i++) {
    let sum = 0;
    for (let j = 0; j < 4; j++) sum += Math.abs(u8[o + i + j]! - t8[s + j]!);
    cpu.x16[d * 2 + i] = sum;
  }
}

/**
 * ROUNDSS/SD/PS/PD: to an integral value, imm8[1:0] as the rounding mode unless imm8[2]
 * asks for MXCSR.RC. The result keeps the operand's sign (−0.3 rounds to −0); a NaN comes
 * back quiet.
 */
function roundValue(v: number, rc: number): number {
  const r = roundToInteger(v, rc);
  return r === 0 && (v < 0 || 1 / v < 0) ? -0 : r;
}

function roundForm(double: boolean, lanes: number) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, lanes > 1);
    const imm = ins.immLo & 0xff;
    const rc = imm & 4 ? (cpu.mxcsr >> MXCSR_RC_SHIFT) & 3 : imm & 3;
    const d = xi(cpu, ins, 0);
    const x = cpu.x32;
    for (let i = 0; i < lanes; i++) {
      if (double) {
        const v = tf64[i]!;
        if (Number.isNaN(v)) {
          x[d + 2 * i] = t32[2 * i]!;
          x[d + 2 * i + 1] = t32[2 * i + 1]! | 0x00080000;
        } else cpu.xf64[(d >> 1) + i] = roundValue(v, rc);
      } else {
        const v = tf32[i]!;
        if (Number.isNaN(v)) x[d + i] = t32[i]! | 0x00400000;
        else cpu.xf32[d + i] = roundValue(v, rc);
      }
    }
  };
}

/**
 * DPPS/DPPD: products of the lanes imm8[7:4] selects (others +0), summed pairwise as the
 * SDM's pseudocode does, each step an ordinary rounded SSE operation (so NaN rules and
 * MXCSR rounding apply), then written to the lanes imm8[3:0] selects (others zeroed).
 */
function dpps(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const imm = ins.immLo & 0xff;
  const d = xi(cpu, ins, 0);
  const x = cpu.x32;
  const m = cpu.mxcsr;
  for (let i = 0; i < 4; i++) u32[i] = x[d + i]!;
  for (let i = 0; i < 4; i++) {
    if ((imm >> (4 + i)) & 1) arith32(uf32, u32, m, Op.Mul, i, i);
    else u32[i] = 0;
  }
  // (p0 + p1) + (p2 + p3)
  t32[0] = u32[1]!;
  t32[1] = u32[3]!;
  u32[1] = u32[2]!;
  arith32(uf32, u32, m, Op.Add, 0, 0);
  arith32(uf32, u32, m, Op.Add, 1, 1);
  t32[0] = u32[1]!;
  arith32(uf32, u32, m, Op.Add, 0, 0);
  const r = u32[0]!;
  for (let i = 0; i < 4; i++) x[d + i] = (imm >> i) & 1 ? r : 0;
}

function dppd(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const imm = ins.immLo & 0xff;
  const d = xi(cpu, ins, 0);
  const x = cpu.x32;
  const m = cpu.mxcsr;
  for (let i = 0; i < 4; i++) u32[i] = x[d + i]!;
  for (let i = 0; i < 2; i++) {
    if ((imm >> (4 + i)) & 1) arith64(uf64, u32, m, Op.Mul, 2 * i, 2 * i);
    else u32[2 * i] = u32[2 * i + 1] = 0;
  }
  t32[0] = u32[2]!;
  t32[1] = u32[3]!;
  arith64(uf64, u32, m, Op.Add, 0, 0);
  const lo = u32[0]!;
  const hi = u32[1]!;
  for (let i = 0; i < 2; i++) {
    const on = (imm >> i) & 1;
    x[d + 2 * i] = on ? lo : 0;
    x[d + 2 * i + 1] = on ? hi : 0;
  }
}

/** The CRC-32C (Castagnoli) table, reflected polynomial 0x82F63B78, as CRC32 computes it. */
const CRC32C = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  CRC32C[n] = c;
}

/** CRC32 r32/r64, r/m8..64: the running CRC-32C of the source bytes, low byte first. */
function crc32(cpu: Cpu, ins: Instruction): void {
  let c = cpu.readOp(ins, 0);
  const size = ins.opSize[1]!;
  const lo = cpu.readOp(ins, 1);
  const hi = cpu.vhi;
  for (let i = 0; i < size; i++) {
    const b = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
    c = CRC32C[(c ^ b) & 0xff]! ^ (c >>> 8);
  }
  cpu.writeOp(ins, 0, c, 0);
}

export function installSse4(def: Define): void {
  def(M.Pmulld, dwords((a, b) => Math.imul(a, b)));
  def(M.Pmuldq, pmuldq);
  def(M.Pminsb, bytes((a, b) => (sx8(a) < sx8(b) ? a : b)));
  def(M.Pmaxsb, bytes((a, b) => (sx8(a) > sx8(b) ? a : b)));
  def(M.Pminuw, words(Math.min));
  def(M.Pmaxuw, words(Math.max));
  def(M.Pminud, dwords((a, b) => (a >>> 0 < b >>> 0 ? a : b)));
  def(M.Pmaxud, dwords((a, b) => (a >>> 0 > b >>> 0 ? a : b)));
  def(M.Pminsd, dwords(Math.min));
  def(M.Pmaxsd, dwords(Math.max));
  def(M.Pcmpeqq, pcmpq(false));
  def(M.Pcmpgtq, pcmpq(true));
  def(M.Packusdw, packusdw);
  def(M.Pmovsxbw, pmovx(1, 2, true));
  def(M.Pmovsxbd, pmovx(1, 4, true));
  def(M.Pmovsxbq, pmovx(1, 8, true));
  def(M.Pmovsxwd, pmovx(2, 4, true));
  def(M.Pmovsxwq, pmovx(2, 8, true));
  def(M.Pmovsxdq, pmovx(4, 8, true));
  def(M.Pmovzxbw, pmovx(1, 2, false));
  def(M.Pmovzxbd, pmovx(1, 4, false));
  def(M.Pmovzxbq, pmovx(1, 8, false));
  def(M.Pmovzxwd, pmovx(2, 4, false));
  def(M.Pmovzxwq, pmovx(2, 8, false));
  def(M.Pmovzxdq, pmovx(4, 8, false));
  def(M.Ptest, ptest);
  def(M.Pblendw, blendImm(2));
  def(M.Blendps, blendImm(4));
  def(M.Blendpd, blendImm(8));
  def(M.Pblendvb, blendVar(1));
  def(M.Blendvps, blendVar(4));
  def(M.Blendvpd, blendVar(8));
  def(M.Pextrb, pextr(1));
  def(M.Pextrd, pextr(4));
  def(M.Pextrq, pextr(8));
  def(M.Extractps, pextr(4));
  def(M.Pinsrb, pinsr(1));
  def(M.Pinsrd, pinsr(4));
  def(M.Pinsrq, pinsr(8));
  def(M.Insertps, insertps);
  def(M.Movntdqa, movntdqa);
  def(M.Phminposuw, phminposuw);
  def(M.Mpsadbw, mpsadbw);
  def(M.Roundss, roundForm(false, 1));
  def(M.Roundsd, roundForm(true, 1));
  def(M.Roundps, roundForm(false, 4));
  def(M.Roundpd, roundForm(true, 2));
  def(M.Dpps, dpps);
  def(M.Dppd, dppd);
  def(M.Crc32, crc32);
}
