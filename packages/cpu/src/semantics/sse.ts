import { type Instruction, Mnemonic as M, OpKind, Register } from '@legosim/x86';
import { Rflags, Vector } from '../constants.js';
import type { Cpu } from '../cpu.js';
import { CpuFault } from '../fault.js';
import type { Define } from './define.js';
import { fromBytes } from '../x87/float80.js';
import { isStringForm, stringCmpsd, stringMovsd } from './string.js';

/**
 * SSE and SSE2 (SDM Vol. 2, the xmm forms): moves, packed integer, scalar and packed
 * floating point. xmm registers live in one ArrayBuffer viewed at every element width;
 * JS doubles give IEEE round-to-nearest, which is the MXCSR default Linux sets.
 */

const TWO32 = 4294967296;
const tmp = new ArrayBuffer(16);
const t8 = new Uint8Array(tmp);
const t16 = new Uint16Array(tmp);
const t32 = new Int32Array(tmp);
const tf32 = new Float32Array(tmp);
const tf64 = new Float64Array(tmp);

function isXmm(ins: Instruction, n: number): boolean {
  return ins.opKind[n] === OpKind.Register && ins.opReg[n]! >= Register.XMM0 && ins.opReg[n]! < Register.XMM0 + 16;
}

/** Dword index of xmm operand n's element 0. */
function xi(ins: Instruction, n: number): number {
  return (ins.opReg[n]! - Register.XMM0) * 4;
}

function alignCheck(la: number): void {
  if (la % 16 !== 0) throw new CpuFault(Vector.GP, 0);
}

/** Loads operand n (xmm, memory of opSize bytes, or GPR) into `tmp`, zero-filling the rest. */
function load(cpu: Cpu, ins: Instruction, n: number, aligned = false): void {
  if (isXmm(ins, n)) {
    const s = xi(ins, n);
    const x = cpu.x32;
    t32[0] = x[s]!;
    t32[1] = x[s + 1]!;
    t32[2] = x[s + 2]!;
    t32[3] = x[s + 3]!;
    return;
  }
  if (ins.opKind[n] === OpKind.Memory) {
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

/** Stores the low `size` bytes of `tmp` to operand n (memory or GPR); xmm destinations are written by the callers. */
function storeTmp(cpu: Cpu, ins: Instruction, n: number, size: number, aligned = false): void {
  if (ins.opKind[n] === OpKind.Memory) {
    const la = cpu.ea(ins);
    if (aligned && size === 16) alignCheck(la);
    if (size === 16) {
      cpu.write64(la + 8, t32[2]!, t32[3]!);
      cpu.write64(la, t32[0]!, t32[1]!);
    } else if (size === 8) cpu.write64(la, t32[0]!, t32[1]!);
    else cpu.write32(la, t32[0]!);
    return;
  }
  cpu.writeOp(ins, n, t32[0]!, size === 8 ? t32[1]! : 0);
}

function setXmm(cpu: Cpu, d: number): void {
  const x = cpu.x32;
  x[d] = t32[0]!;
  x[d + 1] = t32[1]!;
  x[d + 2] = t32[2]!;
  x[d + 3] = t32[3]!;
}

/** MOVDQA/MOVDQU/MOVAPS/MOVUPS/MOVAPD/MOVUPD/MOVNTDQ/...: 128-bit moves. */
function move128(aligned: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, aligned);
    if (isXmm(ins, 0)) setXmm(cpu, xi(ins, 0));
    else storeTmp(cpu, ins, 0, 16, aligned);
  };
}

/** MOVD/MOVQ between xmm and GPR/memory (and MOVQ xmm, xmm): loads zero the rest of the register. */
function movdq(cpu: Cpu, ins: Instruction): void {
  if (isXmm(ins, 0)) {
    load(cpu, ins, 1);
    if (ins.opSize[1] === 4) t32[1] = 0;
    t32[2] = t32[3] = 0;
    setXmm(cpu, xi(ins, 0));
  } else {
    load(cpu, ins, 1);
    storeTmp(cpu, ins, 0, ins.opSize[0] === 4 ? 4 : 8);
  }
}

/** MOVSS/MOVSD (scalar): a load from memory zeroes the upper part; register to register merges the low element. */
function movScalar(bytes: 4 | 8) {
  return (cpu: Cpu, ins: Instruction): void => {
    if (isXmm(ins, 0)) {
      const d = xi(ins, 0);
      const x = cpu.x32;
      if (isXmm(ins, 1)) {
        const s = xi(ins, 1);
        x[d] = x[s]!;
        if (bytes === 8) x[d + 1] = x[s + 1]!;
      } else {
        load(cpu, ins, 1);
        x[d] = t32[0]!;
        x[d + 1] = bytes === 8 ? t32[1]! : 0;
        x[d + 2] = 0;
        x[d + 3] = 0;
      }
    } else {
      const s = xi(ins, 1);
      t32[0] = cpu.x32[s]!;
      t32[1] = cpu.x32[s + 1]!;
      storeTmp(cpu, ins, 0, bytes);
    }
  };
}

/** MOVHPS/MOVHPD/MOVLPS/MOVLPD (and MOVHLPS/MOVLHPS): 64-bit halves. */
function movHalf(high: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const x = cpu.x32;
    if (isXmm(ins, 0)) {
      const d = xi(ins, 0) + (high ? 2 : 0);
      load(cpu, ins, 1);
      x[d] = t32[0]!;
      x[d + 1] = t32[1]!;
    } else {
      const s = xi(ins, 1) + (high ? 2 : 0);
      t32[0] = x[s]!;
      t32[1] = x[s + 1]!;
      storeTmp(cpu, ins, 0, 8);
    }
  };
}

function movhlps(cpu: Cpu, ins: Instruction): void {
  const x = cpu.x32;
  const d = xi(ins, 0);
  const s = xi(ins, 1);
  if (ins.mnemonic === M.Movhlps) {
    x[d] = x[s + 2]!;
    x[d + 1] = x[s + 3]!;
  } else {
    x[d + 2] = x[s]!;
    x[d + 3] = x[s + 1]!;
  }
}

type Lanes = (x: Int32Array, d: number) => void;

/** Binary packed operation on dst xmm (dword index d) and the source in `tmp`. */
function packed(body: Lanes) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    body(cpu.x32, xi(ins, 0));
  };
}

const pxor: Lanes = (x, d) => {
  for (let i = 0; i < 4; i++) x[d + i] = x[d + i]! ^ t32[i]!;
};
const por: Lanes = (x, d) => {
  for (let i = 0; i < 4; i++) x[d + i] = x[d + i]! | t32[i]!;
};
const pand: Lanes = (x, d) => {
  for (let i = 0; i < 4; i++) x[d + i] = x[d + i]! & t32[i]!;
};
const pandn: Lanes = (x, d) => {
  for (let i = 0; i < 4; i++) x[d + i] = ~x[d + i]! & t32[i]!;
};

/** Byte/word lanes work through the Uint8/Uint16 views of the register file. */
function bytes(cpu: Cpu, ins: Instruction, f: (a: number, b: number) => number): void {
  load(cpu, ins, 1, true);
  const x = cpu.x8;
  const d = xi(ins, 0) * 4;
  for (let i = 0; i < 16; i++) x[d + i] = f(x[d + i]!, t8[i]!);
}

function words(cpu: Cpu, ins: Instruction, f: (a: number, b: number) => number): void {
  load(cpu, ins, 1, true);
  const x = cpu.x16;
  const d = xi(ins, 0) * 2;
  for (let i = 0; i < 8; i++) x[d + i] = f(x[d + i]!, t16[i]!);
}

function dwords(cpu: Cpu, ins: Instruction, f: (a: number, b: number) => number): void {
  load(cpu, ins, 1, true);
  const x = cpu.x32;
  const d = xi(ins, 0);
  for (let i = 0; i < 4; i++) x[d + i] = f(x[d + i]!, t32[i]!);
}

function paddq(cpu: Cpu, ins: Instruction, sub: boolean): void {
  load(cpu, ins, 1, true);
  const x = cpu.x32;
  const d = xi(ins, 0);
  for (let q = 0; q < 4; q += 2) {
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
}

function pmovmskb(cpu: Cpu, ins: Instruction): void {
  const x = cpu.x8;
  const s = xi(ins, 1) * 4;
  let m = 0;
  for (let i = 0; i < 16; i++) m |= (x[s + i]! >> 7) << i;
  cpu.writeOp(ins, 0, m, 0);
}

function movmsk(doubles: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const x = cpu.x32;
    const s = xi(ins, 1);
    const m = doubles ? (x[s + 1]! >>> 31) | ((x[s + 3]! >>> 31) << 1) : (x[s]! >>> 31) | ((x[s + 1]! >>> 31) << 1) | ((x[s + 2]! >>> 31) << 2) | ((x[s + 3]! >>> 31) << 3);
    cpu.writeOp(ins, 0, m, 0);
  };
}

/** Shift counts for PSRLx/PSLLx/PSRAx: an imm8, or the low 64 bits of an xmm/m128 operand. */
function shiftCount(cpu: Cpu, ins: Instruction): number {
  if (ins.opKind[1] === OpKind.Immediate) return ins.immLo & 0xff;
  load(cpu, ins, 1);
  return t32[1] !== 0 || t32[0]! >>> 0 > 255 ? 255 : t32[0]!;
}

function psByte(right: boolean) {
  // PSRLDQ / PSLLDQ: whole-register byte shifts
  return (cpu: Cpu, ins: Instruction): void => {
    const n = Math.min(ins.immLo & 0xff, 16);
    const x = cpu.x8;
    const d = xi(ins, 0) * 4;
    for (let i = 0; i < 16; i++) t8[i] = x[d + i]!;
    for (let i = 0; i < 16; i++) {
      const from = right ? i + n : i - n;
      x[d + i] = from >= 0 && from < 16 ? t8[from]! : 0;
    }
  };
}

function psShift(width: 16 | 32 | 64, kind: 'l' | 'r' | 'a') {
  return (cpu: Cpu, ins: Instruction): void => {
    const c = shiftCount(cpu, ins);
    const d = xi(ins, 0);
    if (width === 16) {
      const x = cpu.x16;
      for (let i = 0; i < 8; i++) {
        const v = x[d * 2 + i]!;
        if (kind === 'a') x[d * 2 + i] = ((v << 16) >> 16) >> Math.min(c, 15);
        else x[d * 2 + i] = c > 15 ? 0 : kind === 'l' ? v << c : v >>> c;
      }
    } else if (width === 32) {
      const x = cpu.x32;
      for (let i = 0; i < 4; i++) {
        const v = x[d + i]!;
        if (kind === 'a') x[d + i] = v >> Math.min(c, 31);
        else x[d + i] = c > 31 ? 0 : kind === 'l' ? v << c : v >>> c;
      }
    } else {
      const x = cpu.x32;
      for (let q = 0; q < 4; q += 2) {
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

/** PUNPCKLxx/PUNPCKHxx: interleave elements of `width` bytes from the low or high halves. */
function unpack(width: 1 | 2 | 4 | 8, high: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const x = cpu.x8;
    const d = xi(ins, 0) * 4;
    const a = new Uint8Array(16);
    for (let i = 0; i < 16; i++) a[i] = x[d + i]!;
    const base = high ? 8 : 0;
    const n = 8 / width;
    for (let e = 0; e < n; e++) {
      for (let b = 0; b < width; b++) {
        x[d + 2 * e * width + b] = a[base + e * width + b]!;
        x[d + (2 * e + 1) * width + b] = t8[base + e * width + b]!;
      }
    }
  };
}

function pshufd(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const order = ins.immLo & 0xff;
  const x = cpu.x32;
  const d = xi(ins, 0);
  for (let i = 0; i < 4; i++) x[d + i] = t32[(order >> (2 * i)) & 3]!;
}

function pshufw(high: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const order = ins.immLo & 0xff;
    const x = cpu.x16;
    const d = xi(ins, 0) * 2;
    const base = high ? 4 : 0;
    for (let i = 0; i < 4; i++) x[d + base + i] = t16[base + ((order >> (2 * i)) & 3)]!;
    for (let i = 0; i < 4; i++) x[d + (high ? 0 : 4) + i] = t16[(high ? 0 : 4) + i]!;
  };
}

function shufps(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const order = ins.immLo & 0xff;
  const x = cpu.x32;
  const d = xi(ins, 0);
  const a0 = x[d + (order & 3)]!;
  const a1 = x[d + ((order >> 2) & 3)]!;
  x[d] = a0;
  x[d + 1] = a1;
  x[d + 2] = t32[(order >> 4) & 3]!;
  x[d + 3] = t32[(order >> 6) & 3]!;
}

function shufpd(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const order = ins.immLo & 0xff;
  const x = cpu.x32;
  const d = xi(ins, 0);
  const s = (order & 1) * 2;
  const l0 = x[d + s]!;
  const l1 = x[d + s + 1]!;
  x[d] = l0;
  x[d + 1] = l1;
  const t = ((order >> 1) & 1) * 2;
  x[d + 2] = t32[t]!;
  x[d + 3] = t32[t + 1]!;
}

// ---------------------------------------------------------------- floating point

function scalar(double: boolean, f: (a: number, b: number) => number) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1);
    const d = xi(ins, 0);
    if (double) cpu.xf64[d >> 1] = f(cpu.xf64[d >> 1]!, tf64[0]!);
    else cpu.xf32[d] = f(cpu.xf32[d]!, tf32[0]!);
  };
}

function packedFloat(double: boolean, f: (a: number, b: number) => number) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const d = xi(ins, 0);
    if (double) {
      cpu.xf64[d >> 1] = f(cpu.xf64[d >> 1]!, tf64[0]!);
      cpu.xf64[(d >> 1) + 1] = f(cpu.xf64[(d >> 1) + 1]!, tf64[1]!);
    } else for (let i = 0; i < 4; i++) cpu.xf32[d + i] = f(cpu.xf32[d + i]!, tf32[i]!);
  };
}

/** MINSD/MAXSD: if either is NaN, or both are zero, the second (source) operand is returned. */
// biome-ignore lint/complexity/useMathMinMax: Math.min differs for NaN and signed zeros
const minF = (a: number, b: number): number => (a < b ? a : b);
// biome-ignore lint/complexity/useMathMinMax: Math.max differs for NaN and signed zeros
const maxF = (a: number, b: number): number => (a > b ? a : b);

/** UCOMISx/COMISx: ZF, PF, CF as an unordered compare; OF, SF, AF cleared. */
function compareScalar(double: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1);
    const d = xi(ins, 0);
    const a = double ? cpu.xf64[d >> 1]! : cpu.xf32[d]!;
    const b = double ? tf64[0]! : tf32[0]!;
    let f = cpu.getRflags() & ~Rflags.Status;
    if (Number.isNaN(a) || Number.isNaN(b)) f |= Rflags.ZF | Rflags.PF | Rflags.CF;
    else if (a < b) f |= Rflags.CF;
    else if (a === b) f |= Rflags.ZF;
    cpu.setStatusFlags(f);
  };
}

/** CVTSI2SD/CVTSI2SS from a 32- or 64-bit integer. */
function cvtsi2(double: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const lo = cpu.readOp(ins, 1);
    const v = ins.opSize[1] === 8 ? int64ToNumber(lo, cpu.vhi) : lo | 0;
    const d = xi(ins, 0);
    if (double) cpu.xf64[d >> 1] = v;
    else cpu.xf32[d] = v;
  };
}

/** Exact signed 64-bit → double with round-to-nearest-even (the direct sum can double-round). */
function int64ToNumber(lo: number, hi: number): number {
  const n = hi * TWO32 + (lo >>> 0);
  if (Math.abs(n) < 2 ** 53) return n;
  return Number(BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)));
}

/** CVTTSD2SI/CVTTSS2SI (truncate) and CVTSD2SI/CVTSS2SI (round to nearest even): out of range gives the "integer indefinite". */
function cvt2si(double: boolean, truncate: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1);
    const v = double ? tf64[0]! : tf32[0]!;
    let r = truncate ? Math.trunc(v) : roundEven(v);
    const size = ins.opSize[0]!;
    const limit = size === 8 ? 2 ** 63 : 2 ** 31;
    if (Number.isNaN(r) || r >= limit || r < -limit) {
      cpu.writeOp(ins, 0, size === 8 ? 0 : 0x80000000 | 0, size === 8 ? 0x80000000 | 0 : 0);
      return;
    }
    if (r === 0) r = 0; // -0
    cpu.writeOp(ins, 0, r | 0, size === 8 ? Math.floor(r / TWO32) | 0 : 0);
  };
}

function roundEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

function cvtss2sd(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1);
  cpu.xf64[xi(ins, 0) >> 1] = tf32[0]!;
}

function cvtsd2ss(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1);
  cpu.xf32[xi(ins, 0)] = tf64[0]!;
}

function sqrt(double: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1);
    const d = xi(ins, 0);
    if (double) cpu.xf64[d >> 1] = Math.sqrt(tf64[0]!);
    else cpu.xf32[d] = Math.sqrt(tf32[0]!);
  };
}

function ldmxcsr(cpu: Cpu, ins: Instruction): void {
  const v = cpu.read32(cpu.ea(ins));
  if ((v & ~0xffff) !== 0) throw new CpuFault(Vector.GP, 0);
  cpu.mxcsr = v;
}

function stmxcsr(cpu: Cpu, ins: Instruction): void {
  cpu.write32(cpu.ea(ins), cpu.mxcsr);
}

/**
 * FXSAVE/FXRSTOR: the 512-byte legacy area — FCW, FSW, the abridged tag word, MXCSR, the
 * eight x87 registers in ST order (10 bytes in each 16-byte slot) and xmm0..xmm15.
 */
function fxsave(cpu: Cpu, ins: Instruction): void {
  const la = cpu.ea(ins);
  if (la % 16 !== 0) throw new CpuFault(Vector.GP, 0);
  const fpu = cpu.fpu;
  cpu.write16(la, fpu.control);
  cpu.write16(la + 2, fpu.statusWord);
  cpu.write8(la + 4, ~fpu.emptyMask & 0xff);
  cpu.write8(la + 5, 0);
  cpu.write16(la + 6, 0);
  cpu.write64(la + 8, 0, 0);
  cpu.write64(la + 16, 0, 0);
  cpu.write32(la + 24, cpu.mxcsr);
  cpu.write32(la + 28, 0xffff);
  for (let i = 0; i < 8; i++) {
    const v = fpu.regs[(fpu.top + i) & 7]!;
    const at = la + 32 + i * 16;
    cpu.write64(at, Number(v.mant & 0xffffffffn) | 0, Number(v.mant >> 32n) | 0);
    cpu.write16(at + 8, (v.sign << 15) | v.exp);
  }
  const x = cpu.x32;
  for (let i = 0; i < 64; i += 2) cpu.write64(la + 160 + i * 4, x[i]!, x[i + 1]!);
}

function fxrstor(cpu: Cpu, ins: Instruction): void {
  const la = cpu.ea(ins);
  if (la % 16 !== 0) throw new CpuFault(Vector.GP, 0);
  const mxcsr = cpu.read32(la + 24);
  if ((mxcsr & ~0xffff) !== 0) throw new CpuFault(Vector.GP, 0);
  const fpu = cpu.fpu;
  fpu.control = cpu.read16(la);
  const sw = cpu.read16(la + 2);
  fpu.status = sw & ~(7 << 11);
  fpu.top = (sw >> 11) & 7;
  fpu.emptyMask = ~cpu.read8(la + 4) & 0xff;
  for (let i = 0; i < 8; i++) {
    const at = la + 32 + i * 16;
    const lo = cpu.read64(at);
    const hi = cpu.vhi;
    fpu.regs[(fpu.top + i) & 7] = fromBytes(lo, hi, cpu.read16(at + 8));
  }
  cpu.mxcsr = mxcsr;
  const x = cpu.x32;
  for (let i = 0; i < 64; i += 2) {
    x[i] = cpu.read64(la + 160 + i * 4);
    x[i + 1] = cpu.vhi;
  }
}

/** MOVNTI and other non-temporal stores are ordinary stores in the model. */
function movnti(cpu: Cpu, ins: Instruction): void {
  const v = cpu.readOp(ins, 1);
  cpu.writeOp(ins, 0, v, cpu.vhi);
}

export function installSse(def: Define): void {
  for (const m of [M.Movdqa, M.Movaps, M.Movapd, M.Movntdq, M.Movntps, M.Movntpd]) def(m, move128(true));
  for (const m of [M.Movdqu, M.Movups, M.Movupd, M.Lddqu]) def(m, move128(false));
  def(M.Movd, movdq);
  def(M.Movq, movdq);
  def(M.Movss, movScalar(4));
  const movsdScalar = movScalar(8);
  def(M.Movsd, (cpu, ins) => (isStringForm(ins) ? stringMovsd(cpu, ins) : movsdScalar(cpu, ins)));
  def(M.Movhps, movHalf(true));
  def(M.Movhpd, movHalf(true));
  def(M.Movlps, movHalf(false));
  def(M.Movlpd, movHalf(false));
  def(M.Movhlps, movhlps);
  def(M.Movlhps, movhlps);
  def(M.Movnti, movnti);
  for (const m of [M.Pxor, M.Xorps, M.Xorpd]) def(m, packed(pxor));
  for (const m of [M.Por, M.Orps, M.Orpd]) def(m, packed(por));
  for (const m of [M.Pand, M.Andps, M.Andpd]) def(m, packed(pand));
  for (const m of [M.Pandn, M.Andnps, M.Andnpd]) def(m, packed(pandn));
  def(M.Paddb, (c, i) => bytes(c, i, (a, b) => a + b));
  def(M.Psubb, (c, i) => bytes(c, i, (a, b) => a - b));
  def(M.Paddw, (c, i) => words(c, i, (a, b) => a + b));
  def(M.Psubw, (c, i) => words(c, i, (a, b) => a - b));
  def(M.Paddd, (c, i) => dwords(c, i, (a, b) => (a + b) | 0));
  def(M.Psubd, (c, i) => dwords(c, i, (a, b) => (a - b) | 0));
  def(M.Paddq, (c, i) => paddq(c, i, false));
  def(M.Psubq, (c, i) => paddq(c, i, true));
  def(M.Pcmpeqb, (c, i) => bytes(c, i, (a, b) => (a === b ? 0xff : 0)));
  def(M.Pcmpeqw, (c, i) => words(c, i, (a, b) => (a === b ? 0xffff : 0)));
  def(M.Pcmpeqd, (c, i) => dwords(c, i, (a, b) => (a === b ? -1 : 0)));
  def(M.Pcmpgtb, (c, i) => bytes(c, i, (a, b) => (((a << 24) >> 24) > ((b << 24) >> 24) ? 0xff : 0)));
  def(M.Pcmpgtw, (c, i) => words(c, i, (a, b) => (((a << 16) >> 16) > ((b << 16) >> 16) ? 0xffff : 0)));
  def(M.Pcmpgtd, (c, i) => dwords(c, i, (a, b) => (a > b ? -1 : 0)));
  def(M.Pminub, (c, i) => bytes(c, i, Math.min));
  def(M.Pmaxub, (c, i) => bytes(c, i, Math.max));
  def(M.Pminsw, (c, i) => words(c, i, (a, b) => (((a << 16) >> 16) < ((b << 16) >> 16) ? a : b)));
  def(M.Pmaxsw, (c, i) => words(c, i, (a, b) => (((a << 16) >> 16) > ((b << 16) >> 16) ? a : b)));
  def(M.Pavgb, (c, i) => bytes(c, i, (a, b) => (a + b + 1) >> 1));
  def(M.Pmullw, (c, i) => words(c, i, (a, b) => Math.imul(a, b)));
  def(M.Pmovmskb, pmovmskb);
  def(M.Movmskps, movmsk(false));
  def(M.Movmskpd, movmsk(true));
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
  def(M.Pshufd, pshufd);
  def(M.Pshuflw, pshufw(false));
  def(M.Pshufhw, pshufw(true));
  def(M.Shufps, shufps);
  def(M.Shufpd, shufpd);
  const add = (a: number, b: number): number => a + b;
  const sub = (a: number, b: number): number => a - b;
  const mul = (a: number, b: number): number => a * b;
  const div = (a: number, b: number): number => a / b;
  def(M.Addsd, scalar(true, add));
  def(M.Subsd, scalar(true, sub));
  def(M.Mulsd, scalar(true, mul));
  def(M.Divsd, scalar(true, div));
  def(M.Minsd, scalar(true, minF));
  def(M.Maxsd, scalar(true, maxF));
  def(M.Addss, scalar(false, add));
  def(M.Subss, scalar(false, sub));
  def(M.Mulss, scalar(false, mul));
  def(M.Divss, scalar(false, div));
  def(M.Minss, scalar(false, minF));
  def(M.Maxss, scalar(false, maxF));
  def(M.Addpd, packedFloat(true, add));
  def(M.Subpd, packedFloat(true, sub));
  def(M.Mulpd, packedFloat(true, mul));
  def(M.Divpd, packedFloat(true, div));
  def(M.Addps, packedFloat(false, add));
  def(M.Subps, packedFloat(false, sub));
  def(M.Mulps, packedFloat(false, mul));
  def(M.Divps, packedFloat(false, div));
  def(M.Sqrtsd, sqrt(true));
  def(M.Sqrtss, sqrt(false));
  def(M.Ucomisd, compareScalar(true));
  def(M.Comisd, compareScalar(true));
  def(M.Ucomiss, compareScalar(false));
  def(M.Comiss, compareScalar(false));
  def(M.Cvtsi2sd, cvtsi2(true));
  def(M.Cvtsi2ss, cvtsi2(false));
  def(M.Cvttsd2si, cvt2si(true, true));
  def(M.Cvttss2si, cvt2si(false, true));
  def(M.Cvtsd2si, cvt2si(true, false));
  def(M.Cvtss2si, cvt2si(false, false));
  def(M.Cvtss2sd, cvtss2sd);
  def(M.Cvtsd2ss, cvtsd2ss);
  def(M.Ldmxcsr, ldmxcsr);
  def(M.Stmxcsr, stmxcsr);
  def(M.Fxsave, fxsave);
  def(M.Fxsave64, fxsave);
  def(M.Fxrstor, fxrstor);
  def(M.Fxrstor64, fxrstor);
  def(M.Cmpsd, (cpu, ins) => {
    if (isStringForm(ins)) stringCmpsd(cpu, ins);
    else throw new CpuFault(Vector.UD, -1);
  });
}
