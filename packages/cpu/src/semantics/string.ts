import { type Instruction, Mnemonic as M, Prefix } from '@legosim/x86';
import { Rflags } from '../constants.js';
import type { DirectTlb } from '../bus.js';
import type { Cpu, Handler } from '../cpu.js';
import { FlagOp } from '../flags.js';
import { out, SIZE_MASK, subSized } from './arith.js';
import { ACCUMULATOR } from './data.js';
import type { Define } from './define.js';

/**
 * String instructions (SDM MOVS, STOS, LODS, CMPS, SCAS) with REP/REPE/REPNE.
 * Source is seg:[rsi] (DS unless overridden), destination es:[rdi]; RSI/RDI step by the
 * element size, backwards when DF = 1. A repeated instruction runs until it is done or its
 * run slice ends (then it resumes after any pending interrupt); a fault part-way leaves
 * RCX/RSI/RDI describing the remaining work, as on hardware.
 */

const TWO32 = 4294967296;

function reg(cpu: Cpu, i: number, a32: boolean): number {
  return a32 ? cpu.lo[i]! >>> 0 : cpu.hi[i]! * TWO32 + (cpu.lo[i]! >>> 0);
}

function setReg(cpu: Cpu, i: number, v: number, a32: boolean): void {
  if (a32) {
    cpu.lo[i] = v | 0;
    cpu.hi[i] = 0;
  } else cpu.setGpr(i, v);
}

/** The element size of a string instruction: from its operand size (b/w/d/q forms). */
function elementSize(ins: Instruction): number {
  return ins.opSize[0] || ins.operandSize;
}

type Body = (cpu: Cpu, ins: Instruction, size: number, si: number, di: number) => boolean;

/**
 * Moves up to `max` elements of a forward REP string instruction at once, within the pages
 * the TLB maps, instead of two MMU calls per element (memcpy's `rep movsb` in busybox
 * sha256sum: ~25 ns a byte that way). Returns how many it moved; 0 sends the caller's loop
 * element by element for one element.
 */
type Bulk = (cpu: Cpu, ins: Instruction, size: number, si: number, di: number, max: number) => number;

/** TLB entry of `la` when it maps RAM with storage and grants `bit`, else -1. */
function entryFor(tlb: DirectTlb, la: number, bit: number): number {
  const vpn = (la - (la & 4095)) / 4096;
  const i = vpn & tlb.mask;
  return tlb.tag[i] === vpn && (tlb.ok[i]! & bit) !== 0 && tlb.words[i] !== null ? i : -1;
}

/** Elements of `size` bytes from offset `off` that lie whole in its page. */
function wholeIn(off: number, size: number): number {
  return ((4096 - off) / size) | 0;
}

/**
 * REP MOVS, forward: the elements that lie whole in both the source's and the destination's
 * page, when the TLB maps both to RAM with the rights the current level needs. The bytes are
 * copied in order, which is what the element loop writes, overlap included, except when the
 * destination starts less than one element after the source in the same frame: that case,
 * an entry missing from the TLB, a device, or an element across a page boundary go element
 * by element, which fills the TLB, reaches the device or faults exactly where the hardware would.
 * The destination frame's write version changes, as for any write, so code in it is decoded again.
 */
const movsInPages: Bulk = (cpu, _ins, size, si, di, max) => {
  const m = cpu.mmu;
  const tlb = m.tlb!;
  const s = entryFor(tlb, si, m.readBit!);
  const d = s < 0 ? -1 : entryFor(tlb, di, m.writeBit!);
  if (d < 0) return 0;
  const sOff = si & 4095;
  const dOff = di & 4095;
  const n = Math.min(max, wholeIn(sOff, size), wholeIn(dOff, size));
  if (n <= 0) return 0;
  const bytes = n * size;
  const src = tlb.words[s]!;
  const dst = tlb.words[d]!;
  // frames have a buffer each: the same buffer is the same frame
  const gap = src.buffer === dst.buffer ? dOff - sOff : bytes;
  if (gap > 0 && gap < size) return 0;
  const from = new Uint8Array(src.buffer, src.byteOffset + sOff, bytes);
  const to = new Uint8Array(dst.buffer, dst.byteOffset + dOff, bytes);
  if (gap > 0 && gap < bytes) {
    // the destination overlaps the source's rest: copy forward, byte by byte, as the loop does
    for (let k = 0; k < bytes; k++) to[k] = from[k]!;
  } else to.set(from);
  m.pageVersions[tlb.pfn[d]!]!++;
  m.tlbHits! += 2 * n;
  return n;
};

/** REP STOS, forward: the elements that lie whole in the destination's page (see `movsInPages`). */
const stosInPages: Bulk = (cpu, _ins, size, _si, di, max) => {
  const m = cpu.mmu;
  const tlb = m.tlb!;
  const d = entryFor(tlb, di, m.writeBit!);
  if (d < 0) return 0;
  const dOff = di & 4095;
  const n = Math.min(max, wholeIn(dOff, size));
  if (n <= 0) return 0;
  const dst = tlb.words[d]!;
  const to = new Uint8Array(dst.buffer, dst.byteOffset + dOff, n * size);
  const lo = cpu.readReg(ACCUMULATOR[size]!);
  const hi = cpu.vhi;
  if (size === 1) to.fill(lo);
  else {
    // the element's bytes, little-endian, repeated
    for (let k = 0; k < size; k++) to[k] = (k < 4 ? lo >>> (8 * k) : hi >>> (8 * (k - 4))) & 0xff;
    for (let k = size; k < n * size; k++) to[k] = to[k - size]!;
  }
  m.pageVersions[tlb.pfn[d]!]!++;
  m.tlbHits! += n;
  return n;
};

function stringOp(usesSi: boolean, usesDi: boolean, compares: boolean, body: Body, bulk?: Bulk) {
  return (fixedSize: number) =>
    (cpu: Cpu, ins: Instruction): void => {
      const size = fixedSize || elementSize(ins);
      const a32 = ins.addressSize === 4;
      const step = (cpu.rflags & Rflags.DF) !== 0 ? -size : size;
      const seg = usesSi ? cpu.segmentBase(ins.memSeg) : 0;
      const repeat = (ins.prefixes & (Prefix.Rep | Prefix.Repne)) !== 0;
      if (!repeat) {
        const si = usesSi ? reg(cpu, 6, a32) : 0;
        const di = usesDi ? reg(cpu, 7, a32) : 0;
        body(cpu, ins, size, si + seg, di);
        if (usesSi) setReg(cpu, 6, si + step, a32);
        if (usesDi) setReg(cpu, 7, di + step, a32);
        return;
      }
      const untilEqual = compares && (ins.prefixes & Prefix.Repne) !== 0;
      let count = reg(cpu, 1, a32);
      let si = usesSi ? reg(cpu, 6, a32) : 0;
      let di = usesDi ? reg(cpu, 7, a32) : 0;
      const start = count;
      // Iterations that fit in the current run slice: a REP string instruction is interruptible
      // between iterations (SDM Vol. 1 7.3.9.2), so at the slice's end it stops with RCX/RSI/RDI
      // describing the rest and RIP still on it; a pending interrupt is taken, then it resumes.
      const room = Math.max(1, cpu.sliceEnd - cpu.instret);
      // 64-bit addressing only: 32-bit addresses wrap at 4 GiB, which the bulk moves do not model
      const inPages = bulk !== undefined && step > 0 && !a32 && cpu.directTlb ? bulk : undefined;
      try {
        while (count !== 0) {
          if (start - count === room) {
            cpu.rip = cpu.instructionIp;
            break;
          }
          if (inPages !== undefined) {
            const n = inPages(cpu, ins, size, si + seg, di, Math.min(count, room - (start - count)));
            if (n > 0) {
              si += n * size;
              di += n * size;
              count -= n;
              continue;
            }
          }
          const equal = body(cpu, ins, size, si + seg, di);
          si += step;
          di += step;
          count--;
          if (compares && equal === untilEqual) break;
        }
      } finally {
        // each iteration counts as an executed instruction (as callgrind counts them), so a
        // long rep takes simulated time in proportion to its work
        const extra = start - count - 1;
        if (extra > 0) {
          cpu.instret += extra;
          if (cpu.cpl === 3) cpu.userInstret += extra;
        }
        setReg(cpu, 1, count, a32);
        if (usesSi) setReg(cpu, 6, si, a32);
        if (usesDi) setReg(cpu, 7, di, a32);
      }
    };
}

function compare(cpu: Cpu, size: number, a: number, aHi: number, b: number, bHi: number): boolean {
  a &= SIZE_MASK[size]!;
  b &= SIZE_MASK[size]!;
  const r = subSized(size, a, aHi, b, bHi);
  cpu.flags.set(FlagOp.Sub, size, a, aHi, b, bHi, r, out.hi);
  return a === b && (size !== 8 || aHi === bHi);
}

const movs = stringOp(
  true,
  true,
  false,
  (cpu, _ins, size, si, di) => {
    const v = cpu.readMem(si, size);
    cpu.writeMem(di, size, v, cpu.vhi);
    return false;
  },
  movsInPages,
);

const stos = stringOp(
  false,
  true,
  false,
  (cpu, _ins, size, _si, di) => {
    const v = cpu.readReg(ACCUMULATOR[size]!);
    cpu.writeMem(di, size, v, cpu.vhi);
    return false;
  },
  stosInPages,
);

const lods = stringOp(true, false, false, (cpu, _ins, size, si) => {
  const v = cpu.readMem(si, size);
  cpu.writeReg(ACCUMULATOR[size]!, v, cpu.vhi);
  return false;
});

const cmps = stringOp(true, true, true, (cpu, _ins, size, si, di) => {
  const a = cpu.readMem(si, size);
  const aHi = cpu.vhi;
  const b = cpu.readMem(di, size);
  return compare(cpu, size, a, aHi, b, cpu.vhi);
});

const scas = stringOp(false, true, true, (cpu, _ins, size, _si, di) => {
  const a = cpu.readReg(ACCUMULATOR[size]!);
  const aHi = cpu.vhi;
  const b = cpu.readMem(di, size);
  return compare(cpu, size, a, aHi, b, cpu.vhi);
});

/** String MOVSD shares its mnemonic with SSE2 MOVSD; the SSE form has register/memory operands. */
export function isStringForm(ins: Instruction): boolean {
  return ins.opCount === 0 || ins.opKind[0] === 6 || ins.opKind[0] === 7;
}

export const stringMovsd: Handler = movs(4);
export const stringCmpsd: Handler = cmps(4);

export function installStrings(def: Define): void {
  const forms = [
    [movs, undefined, M.Movsb, M.Movsw, undefined, M.Movsq],
    [stos, undefined, M.Stosb, M.Stosw, M.Stosd, M.Stosq],
    [lods, undefined, M.Lodsb, M.Lodsw, M.Lodsd, M.Lodsq],
    [cmps, undefined, M.Cmpsb, M.Cmpsw, undefined, M.Cmpsq],
    [scas, undefined, M.Scasb, M.Scasw, M.Scasd, M.Scasq],
  ] as const;
  for (const [op, any, b, w, d, q] of forms) {
    if (any !== undefined) def(any, op(0));
    def(b, op(1));
    def(w, op(2));
    if (d !== undefined) def(d, op(4));
    def(q, op(8));
  }
}
