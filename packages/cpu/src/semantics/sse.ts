import { type Instruction, Mnemonic as M } from '@legosim/x86';
import { Vector } from '../constants.js';
import type { Cpu } from '../cpu.js';
import { CpuFault } from '../fault.js';
import { fromBytes } from '../x87/float80.js';
import type { Define } from './define.js';
import { installSseConvert } from './sse-convert.js';
import { installSseFloat } from './sse-float.js';
import { installSseInt } from './sse-int.js';
import { isVec, load, MM_BASE, setVec, storeTmp, t16, t32, vlen, xi } from './sse-operand.js';
import { installSse4 } from './sse4.js';
import { installSse42String } from './sse42-string.js';
import { installSsse3 } from './ssse3.js';
import { isStringForm, stringMovsd } from './string.js';

/**
 * SSE and SSE2 data movement, logic and shuffles, MXCSR and FXSAVE (SDM Vol. 2). Packed
 * integer arithmetic is in sse-int.ts, floating point in sse-float.ts, conversions in
 * sse-convert.ts; operands (xmm, mm, memory) in sse-operand.ts.
 */

/** MOVDQA/MOVDQU/MOVAPS/MOVUPS/MOVAPD/MOVUPD/MOVNTDQ/...: 128-bit moves. */
function move128(aligned: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, aligned);
    if (isVec(ins, 0)) setVec(cpu, ins, 0);
    else storeTmp(cpu, ins, 0, 16, aligned);
  };
}

/**
 * MOVD/MOVQ between xmm or mm and a GPR or memory (and MOVQ between vector registers). A
 * load into an xmm zeroes the rest of the register; MOVD into an mm zeroes its high dword.
 */
function movdq(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1);
  if (isVec(ins, 0)) {
    if (ins.opSize[1] === 4) t32[1] = 0;
    t32[2] = t32[3] = 0;
    setVec(cpu, ins, 0);
  } else storeTmp(cpu, ins, 0, ins.opSize[0] === 4 ? 4 : 8);
}

/** MOVSS/MOVSD (scalar): a load from memory zeroes the upper part; register to register merges the low element. */
function movScalar(bytes: 4 | 8) {
  return (cpu: Cpu, ins: Instruction): void => {
    if (isVec(ins, 0)) {
      const d = xi(cpu, ins, 0);
      const x = cpu.x32;
      if (isVec(ins, 1)) {
        const s = xi(cpu, ins, 1);
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
      const s = xi(cpu, ins, 1);
      t32[0] = cpu.x32[s]!;
      t32[1] = cpu.x32[s + 1]!;
      storeTmp(cpu, ins, 0, bytes);
    }
  };
}

/** MOVHPS/MOVHPD/MOVLPS/MOVLPD: 64-bit halves to or from memory. */
function movHalf(high: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const x = cpu.x32;
    if (isVec(ins, 0)) {
      const d = xi(cpu, ins, 0) + (high ? 2 : 0);
      load(cpu, ins, 1);
      x[d] = t32[0]!;
      x[d + 1] = t32[1]!;
    } else {
      const s = xi(cpu, ins, 1) + (high ? 2 : 0);
      t32[0] = x[s]!;
      t32[1] = x[s + 1]!;
      storeTmp(cpu, ins, 0, 8);
    }
  };
}

/** MOVHLPS/MOVLHPS: the register forms of MOVLPS/MOVHPS. */
function movhlps(cpu: Cpu, ins: Instruction): void {
  const x = cpu.x32;
  const d = xi(cpu, ins, 0);
  const s = xi(cpu, ins, 1);
  if (ins.mnemonic === M.Movhlps) {
    x[d] = x[s + 2]!;
    x[d + 1] = x[s + 3]!;
  } else {
    x[d + 2] = x[s]!;
    x[d + 3] = x[s + 1]!;
  }
}

type Logic = (a: number, b: number) => number;

/** PAND/PANDN/POR/PXOR and their PS/PD twins: bitwise over the dwords of the register. */
function logic(f: Logic) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const x = cpu.x32;
    const d = xi(cpu, ins, 0);
    const n = d < MM_BASE ? 4 : 2;
    for (let i = 0; i < n; i++) x[d + i] = f(x[d + i]!, t32[i]!);
  };
}

/** PMOVMSKB r32, xmm/mm: the top bit of each byte. */
function pmovmskb(cpu: Cpu, ins: Instruction): void {
  const x = cpu.x8;
  const s = xi(cpu, ins, 1) * 4;
  const n = vlen(ins, 1);
  let m = 0;
  for (let i = 0; i < n; i++) m |= (x[s + i]! >> 7) << i;
  cpu.writeOp(ins, 0, m, 0);
}

function movmsk(doubles: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const x = cpu.x32;
    const s = xi(cpu, ins, 1);
    const m = doubles ? (x[s + 1]! >>> 31) | ((x[s + 3]! >>> 31) << 1) : (x[s]! >>> 31) | ((x[s + 1]! >>> 31) << 1) | ((x[s + 2]! >>> 31) << 2) | ((x[s + 3]! >>> 31) << 3);
    cpu.writeOp(ins, 0, m, 0);
  };
}

function pshufd(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const order = ins.immLo & 0xff;
  const x = cpu.x32;
  const d = xi(cpu, ins, 0);
  for (let i = 0; i < 4; i++) x[d + i] = t32[(order >> (2 * i)) & 3]!;
}

function pshufw(high: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    load(cpu, ins, 1, true);
    const order = ins.immLo & 0xff;
    const x = cpu.x16;
    const d = xi(cpu, ins, 0) * 2;
    const base = high ? 4 : 0;
    for (let i = 0; i < 4; i++) x[d + base + i] = t16[base + ((order >> (2 * i)) & 3)]!;
    for (let i = 0; i < 4; i++) x[d + (high ? 0 : 4) + i] = t16[(high ? 0 : 4) + i]!;
  };
}

function shufps(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1, true);
  const order = ins.immLo & 0xff;
  const x = cpu.x32;
  const d = xi(cpu, ins, 0);
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
  const d = xi(cpu, ins, 0);
  const s = (order & 1) * 2;
  const l0 = x[d + s]!;
  const l1 = x[d + s + 1]!;
  x[d] = l0;
  x[d + 1] = l1;
  const t = ((order >> 1) & 1) * 2;
  x[d + 2] = t32[t]!;
  x[d + 3] = t32[t + 1]!;
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

/** MOVNTQ m64, mm. */
function movntq(cpu: Cpu, ins: Instruction): void {
  load(cpu, ins, 1);
  storeTmp(cpu, ins, 0, 8);
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
  def(M.Movntq, movntq);
  for (const m of [M.Pxor, M.Xorps, M.Xorpd]) def(m, logic((a, b) => a ^ b));
  for (const m of [M.Por, M.Orps, M.Orpd]) def(m, logic((a, b) => a | b));
  for (const m of [M.Pand, M.Andps, M.Andpd]) def(m, logic((a, b) => a & b));
  for (const m of [M.Pandn, M.Andnps, M.Andnpd]) def(m, logic((a, b) => ~a & b));
  def(M.Pmovmskb, pmovmskb);
  def(M.Movmskps, movmsk(false));
  def(M.Movmskpd, movmsk(true));
  def(M.Pshufd, pshufd);
  def(M.Pshuflw, pshufw(false));
  def(M.Pshufhw, pshufw(true));
  def(M.Shufps, shufps);
  def(M.Shufpd, shufpd);
  def(M.Ldmxcsr, ldmxcsr);
  def(M.Stmxcsr, stmxcsr);
  def(M.Fxsave, fxsave);
  def(M.Fxsave64, fxsave);
  def(M.Fxrstor, fxrstor);
  def(M.Fxrstor64, fxrstor);
  installSseInt(def);
  installSseFloat(def);
  installSseConvert(def);
  installSsse3(def);
  installSse4(def);
  installSse42String(def);
}
