import { type Instruction, Mnemonic as M, Register } from '@legosim/x86';
import { Rflags } from '../constants.js';
import type { Cpu } from '../cpu.js';
import type { Define } from './define.js';
import { load, t8, t16, xi } from './sse-operand.js';

/**
 * The SSE4.2 string instructions PCMPESTRI, PCMPESTRM, PCMPISTRI, PCMPISTRM (SDM Vol. 2
 * §4.1, "Imm8 Control Byte Operation for PCMPESTRI / ..."): xmm1 holds the set, ranges or
 * needle, xmm2/m128 the text; lengths are explicit (EAX, EDX) or end at the first zero
 * element. imm8[1:0] is the element format, [3:2] the aggregation, [5:4] the polarity,
 * [6] the output selection. The explicit lengths are read from EAX/EDX (the REX.W forms
 * that read RAX/RDX give the same result for lengths that fit 32 bits).
 */

const enum Agg {
  EqualAny = 0,
  Ranges = 1,
  EqualEach = 2,
  EqualOrdered = 3,
}

/** Element i of the set operand (copied into `set`) and of the text (in `tmp`), sign-extended when signed. */
const set8 = new Uint8Array(16);
const set16 = new Uint16Array(set8.buffer);

function elem(words: boolean, signed: boolean, fromSet: boolean, i: number): number {
  if (words) {
    const v = fromSet ? set16[i]! : t16[i]!;
    return signed ? (v << 16) >> 16 : v;
  }
  const v = fromSet ? set8[i]! : t8[i]!;
  return signed ? (v << 24) >> 24 : v;
}

function implicitLength(words: boolean, fromSet: boolean, n: number): number {
  for (let i = 0; i < n; i++) if (elem(words, false, fromSet, i) === 0) return i;
  return n;
}

function explicitLength(v: number, n: number): number {
  const a = Math.abs(v | 0);
  return Math.min(a, n);
}

/** IntRes2 of the SDM's pseudocode, as a bit mask over the text's elements. */
function compareStrings(imm: number, la: number, lb: number, n: number): number {
  const words = (imm & 1) !== 0;
  const signed = (imm & 2) !== 0;
  const agg = (imm >> 2) & 3;
  let res = 0;
  for (let j = 0; j < n; j++) {
    let bit = 0;
    if (agg === Agg.EqualAny) {
      if (j < lb) {
        const b = elem(words, signed, false, j);
        for (let i = 0; i < la; i++) {
          if (elem(words, signed, true, i) === b) {
            bit = 1;
            break;
          }
        }
      }
    } else if (agg === Agg.Ranges) {
      if (j < lb) {
        const b = elem(words, signed, false, j);
        for (let i = 0; i + 1 < la; i += 2) {
          if (b >= elem(words, signed, true, i) && b <= elem(words, signed, true, i + 1)) {
            bit = 1;
            break;
          }
        }
      }
    } else if (agg === Agg.EqualEach) {
      // both past their ends: true; one past its end: false
      if (j >= la && j >= lb) bit = 1;
      else if (j < la && j < lb) bit = elem(words, signed, true, j) === elem(words, signed, false, j) ? 1 : 0;
    } else {
      // equal ordered: the needle (set) matches at text position j; a needle past its end always matches
      bit = 1;
      for (let k = 0; k < n - j; k++) {
        if (k >= la) break;
        if (j + k >= lb || elem(words, signed, true, k) !== elem(words, signed, false, j + k)) {
          bit = 0;
          break;
        }
      }
    }
    res |= bit << j;
  }
  const mask = n === 16 ? 0xffff : 0xff;
  switch ((imm >> 4) & 3) {
    case 1:
      return ~res & mask;
    case 3:
      return (res ^ ((1 << lb) - 1)) & mask; // negate only the elements within the text
    default:
      return res;
  }
}

function pcmpstr(explicit: boolean, index: boolean) {
  return (cpu: Cpu, ins: Instruction): void => {
    const imm = ins.immLo & 0xff;
    const words = (imm & 1) !== 0;
    const n = words ? 8 : 16;
    const s = xi(cpu, ins, 0) * 4;
    for (let i = 0; i < 16; i++) set8[i] = cpu.x8[s + i]!;
    load(cpu, ins, 1, true);
    const la = explicit ? explicitLength(cpu.readReg(Register.EAX), n) : implicitLength(words, true, n);
    const lb = explicit ? explicitLength(cpu.readReg(Register.EDX), n) : implicitLength(words, false, n);
    const res = compareStrings(imm, la, lb, n);
    if (index) {
      let at = n;
      if (res !== 0) at = imm & 0x40 ? 31 - Math.clz32(res) : 31 - Math.clz32(res & -res);
      cpu.writeReg(Register.ECX, at, 0);
    } else {
      const x = cpu.x32;
      if (imm & 0x40) {
        // each element of xmm0 all ones or all zeros
        for (let i = 0; i < n; i++) {
          const v = (res >> i) & 1 ? 0xffff : 0;
          if (words) cpu.x16[i] = v;
          else cpu.x8[i] = v;
        }
      } else {
        x[0] = res;
        x[1] = x[2] = x[3] = 0;
      }
    }
    let f = cpu.getRflags() & ~Rflags.Status;
    if (res !== 0) f |= Rflags.CF;
    if (lb < n) f |= Rflags.ZF;
    if (la < n) f |= Rflags.SF;
    if (res & 1) f |= Rflags.OF;
    cpu.setStatusFlags(f);
  };
}

export function installSse42String(def: Define): void {
  def(M.Pcmpistri, pcmpstr(false, true));
  def(M.Pcmpistrm, pcmpstr(false, false));
  def(M.Pcmpestri, pcmpstr(true, true));
  def(M.Pcmpestrm, pcmpstr(true, false));
}
