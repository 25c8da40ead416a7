import { DecodeStatus, Instruction, type InstructionDecoder, OpKind, Register } from '@legosim/x86';
import type { InterruptSource, Mmu, PagingMode } from './bus.js';
import { Cr0, Cr4, Efer, hasErrorCode, Msr, Rflags, Vector } from './constants.js';
import { DecodedPage } from './decoded-page.js';
import { CpuFault, CpuStop } from './fault.js';
import { FlagOp, LazyFlags } from './flags.js';
import { handlers as handlerTable } from './semantics/index.js';
import { type TranslationBlock, translateBlock } from './translate/block.js';
import { X87State } from './x87/state.js';

/** A TypeScript function placed at a kernel-text address; the CPU calls it and performs the `ret`. */
export type NativeFunction = (cpu: Cpu) => void;

/** Why `Cpu.run` returned. */
export const enum StopReason {
  /** The instruction budget was used up. */
  Budget = 0,
  /** HLT: the CPU waits for an interrupt. */
  Halted = 1,
  /** A native function stopped the CPU (`Cpu.stop`), e.g. the last task exited. */
  Stopped = 2,
}

/** An instruction's semantics. */
export type Handler = (cpu: Cpu, ins: Instruction) => void;

/** MSRs the CPU does not own itself (x2APIC registers, ...) go to this hook; return undefined for #GP. */
export interface MsrHook {
  read(msr: number): [lo: number, hi: number] | undefined;
  write(msr: number, lo: number, hi: number): boolean;
}

export interface CpuOptions {
  /** CPU number (APIC ID). */
  id: number;
  mmu: Mmu;
  decoder: InstructionDecoder;
  interrupts?: InterruptSource;
  msrHook?: MsrHook;
  /** Compile hot code into translation blocks (default true). */
  translate?: boolean;
}

const TWO32 = 4294967296;
/** Arrivals at an address before a translation block is compiled there: cold code is not worth compiling. */
const HOT_BLOCK = 16;

/**
 * One x86-64 logical processor in 64-bit mode.
 *
 * General-purpose registers are kept as 32-bit halves (`lo[i]`, `hi[i]`, int32) so that the
 * ALU never needs BigInt. Addresses are JS numbers holding the canonical value.
 */
export class Cpu {
  readonly id: number;
  readonly mmu: Mmu;
  decoder: InstructionDecoder;
  interrupts: InterruptSource | undefined;
  msrHook: MsrHook | undefined;

  /** Low halves of rax..r15 (int32). */
  readonly lo: Int32Array = new Int32Array(16);
  /** High halves of rax..r15 (int32). */
  readonly hi: Int32Array = new Int32Array(16);
  /** Upper half of the last 64-bit value read by `readOp`/`read64`/`readReg`. */
  vhi = 0;

  rip = 0;
  /** RFLAGS, except that the status flags are valid only when `flags.op` is Eager. */
  rflags: number = Rflags.Reserved1;
  readonly flags: LazyFlags = new LazyFlags();

  cpl = 0;
  /** Segment selectors, indexed ES=0, CS=1, SS=2, DS=3, FS=4, GS=5. */
  readonly sreg: Uint16Array = new Uint16Array(6);
  fsBase = 0;
  gsBase = 0;
  kernelGsBase = 0;

  cr0: number = Cr0.PE | Cr0.PG | Cr0.WP | Cr0.NE | Cr0.ET | Cr0.MP;
  cr2 = 0;
  cr3 = 0;
  cr4: number = Cr4.PAE | Cr4.OSFXSR | Cr4.OSXMMEXCPT;
  efer: number = Efer.LME | Efer.LMA | Efer.SCE | Efer.NXE;
  starLo = 0;
  starHi = 0;
  lstar = 0;
  cstar = 0;
  fmask = 0;
  tscAux = 0;
  gdtBase = 0;
  gdtLimit = 0;
  idtBase = 0;
  idtLimit = 0;
  tr = 0;
  trBase = 0;

  /** xmm0..xmm15 (16 bytes each), then mm0..mm7 (8 bytes each), viewed at every element width. */
  readonly xmmBuffer: ArrayBuffer = new ArrayBuffer(16 * 16 + 8 * 8);
  readonly x8: Uint8Array = new Uint8Array(this.xmmBuffer);
  readonly x16: Uint16Array = new Uint16Array(this.xmmBuffer);
  readonly x32: Int32Array = new Int32Array(this.xmmBuffer);
  readonly xf32: Float32Array = new Float32Array(this.xmmBuffer);
  readonly xf64: Float64Array = new Float64Array(this.xmmBuffer);
  mxcsr = 0x1f80;
  /** The x87 FPU: register stack, control, status and tag words. */
  readonly fpu: X87State = new X87State();

  /** Instructions retired. Simulated time is derived from it (1 instruction = 1 ns). */
  instret = 0;
  /** Instructions retired at CPL 3 (what a user-space instruction counter such as callgrind sees). */
  userInstret = 0;
  /** Instructions retired inside translation blocks (the rest went through the interpreter). */
  blockInstret = 0;
  /** Translation blocks compiled. */
  blocksTranslated = 0;
  /** Address of the instruction being executed (faults rewind RIP to it). */
  instructionIp = 0;
  /** Interrupts are not accepted while `instret <= interruptShadowUntil` (the STI shadow). */
  interruptShadowUntil = -1;
  halted = false;

  readonly natives: Map<number, NativeFunction> = new Map();
  /** What `updatePagingMode` passes to the MMU (which copies it). */
  private readonly pagingMode: PagingMode = {
    cpl: 0,
    writeProtect: true,
    noExecute: true,
    smep: false,
    smap: false,
  };
  /** The MMU has the optional 64-bit accesses (`Mmu.read64`/`write64`). */
  private readonly wide: boolean;
  /**
   * @internal The MMU offers its TLB arrays (`Mmu.tlb`): translation blocks look it up in
   * their own code, and REP MOVS/STOS move whole pages through it.
   */
  readonly directTlb: boolean;
  /**
   * Compile hot code into translation blocks (`translate/block.ts`). Off, every
   * instruction goes through the interpreter; results, counts and traces are the same.
   */
  translate: boolean;
  /** Called when SYSRET or IRET returns to user mode, with which of the two did it. */
  onReturnToUser: ((path: 'sysret' | 'iret') => void) | undefined;
  /** Called after an exception or interrupt has been delivered (vector, error code or -1). */
  onDeliver: ((vector: number, errorCode: number) => void) | undefined;

  /** The page of the last fetch: its linear base, decoded cache (with its frame), and the TLB state it was translated in. */
  private fetchLa = 1;
  private fetchPage: DecodedPage | undefined;
  private fetchFlushes = -1;
  private fetchCpl = -1;
  private readonly pages = new Map<number, DecodedPage>();
  /** The fetch page before the current one, kept for the way back (see `setFetchPage`). */
  private altLa = 1;
  private altPage: DecodedPage | undefined;
  private altFlushes = -1;
  private altCpl = -1;
  private readonly fetchBuffer = new Uint8Array(16);
  private delivering = 0;
  /** The translation block running, if any (for the fault path). */
  private block: TranslationBlock | undefined;
  /**
   * @internal Instructions retired by the completed passes of the running block: a block
   * whose branch goes back to its own start runs again without returning (a loop), and
   * sets this at each pass for the fault path.
   */
  blockRetired = 0;
  private stopRequest: string | undefined;

  constructor(options: CpuOptions) {
    this.id = options.id;
    this.mmu = options.mmu;
    this.decoder = options.decoder;
    this.interrupts = options.interrupts;
    this.msrHook = options.msrHook;
    this.translate = options.translate ?? true;
    const m = this.mmu;
    this.wide = typeof m.read64 === 'function' && typeof m.write64 === 'function';
    this.directTlb =
      this.wide &&
      typeof m.tlb === 'object' &&
      typeof m.readBit === 'number' &&
      typeof m.writeBit === 'number' &&
      typeof m.tlbHits === 'number';
    this.sreg[1] = 0x10;
    this.sreg[2] = 0x18;
    this.updatePagingMode();
  }

  // ---------------------------------------------------------------- registers

  /** 64-bit value of GPR `i` as a JS number (exact for canonical addresses and |v| < 2^53). */
  gpr(i: number): number {
    return this.hi[i]! * TWO32 + (this.lo[i]! >>> 0);
  }

  /** Sets GPR `i` from a JS number holding a signed 64-bit value (exact within ±2^53). */
  setGpr(i: number, value: number): void {
    this.lo[i] = value | 0;
    this.hi[i] = Math.floor(value / TWO32) | 0;
  }

  /** Reads a general-purpose register of any width: returns the low 32 bits (int32) and sets `vhi`. */
  readReg(reg: number): number {
    if (reg >= Register.RAX) {
      const i = reg - Register.RAX;
      this.vhi = this.hi[i]!;
      return this.lo[i]!;
    }
    this.vhi = 0;
    if (reg >= Register.EAX) return this.lo[reg - Register.EAX]!;
    if (reg >= Register.AX) return this.lo[reg - Register.AX]! & 0xffff;
    if (reg >= Register.AH) return (this.lo[reg - Register.AH]! >> 8) & 0xff;
    return this.lo[reg - Register.AL]! & 0xff;
  }

  /** Writes a general-purpose register with x86-64 rules: 32-bit writes zero the upper half, 8/16-bit writes merge. */
  writeReg(reg: number, v: number, vhi: number): void {
    if (reg >= Register.RAX) {
      const i = reg - Register.RAX;
      this.lo[i] = v;
      this.hi[i] = vhi;
    } else if (reg >= Register.EAX) {
      const i = reg - Register.EAX;
      this.lo[i] = v;
      this.hi[i] = 0;
    } else if (reg >= Register.AX) {
      const i = reg - Register.AX;
      this.lo[i] = (this.lo[i]! & ~0xffff) | (v & 0xffff);
    } else if (reg >= Register.AH) {
      const i = reg - Register.AH;
      this.lo[i] = (this.lo[i]! & ~0xff00) | ((v & 0xff) << 8);
    } else {
      const i = reg - Register.AL;
      this.lo[i] = (this.lo[i]! & ~0xff) | (v & 0xff);
    }
  }

  get rsp(): number {
    return this.gpr(4);
  }

  set rsp(value: number) {
    this.setGpr(4, value);
  }

  /** RFLAGS with the status flags materialised. */
  getRflags(): number {
    const f = this.flags;
    if (f.op !== FlagOp.Eager) {
      this.rflags = (this.rflags & ~Rflags.Status) | f.status();
      f.op = FlagOp.Eager;
    }
    return this.rflags;
  }

  /** Loads RFLAGS (bit 1 always set). */
  setRflags(value: number): void {
    this.flags.op = FlagOp.Eager;
    this.rflags = (value & 0x3f7fd7) | Rflags.Reserved1;
    this.updatePagingMode();
  }

  /** Sets the six status flags from RFLAGS bits, keeping the others. */
  setStatusFlags(status: number): void {
    this.flags.op = FlagOp.Eager;
    this.rflags = (this.rflags & ~Rflags.Status) | (status & Rflags.Status);
  }

  get interruptsEnabled(): boolean {
    return (this.rflags & Rflags.IF) !== 0;
  }

  cf(): boolean {
    return this.flags.op === FlagOp.Eager ? (this.rflags & Rflags.CF) !== 0 : this.flags.cfOf();
  }

  /** Evaluates condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc opcodes). */
  condition(cc: number): boolean {
    const f = this.flags;
    if (f.op !== FlagOp.Eager) {
      switch (cc) {
        case 0:
          return f.of();
        case 1:
          return !f.of();
        case 2:
          return f.cfOf();
        case 3:
          return !f.cfOf();
        case 4:
          return f.zf();
        case 5:
          return !f.zf();
        case 6:
          return f.cfOf() || f.zf();
        case 7:
          return !f.cfOf() && !f.zf();
        case 8:
          return f.sf();
        case 9:
          return !f.sf();
        case 10:
          return f.pf() !== 0;
        case 11:
          return f.pf() === 0;
        case 12:
          return f.sf() !== f.of();
        case 13:
          return f.sf() === f.of();
        case 14:
          return f.zf() || f.sf() !== f.of();
        default:
          return !f.zf() && f.sf() === f.of();
      }
    }
    const r = this.rflags;
    const cf = (r & Rflags.CF) !== 0;
    const zf = (r & Rflags.ZF) !== 0;
    const sf = (r & Rflags.SF) !== 0;
    const of = (r & Rflags.OF) !== 0;
    switch (cc) {
      case 0:
        return of;
      case 1:
        return !of;
      case 2:
        return cf;
      case 3:
        return !cf;
      case 4:
        return zf;
      case 5:
        return !zf;
      case 6:
        return cf || zf;
      case 7:
        return !cf && !zf;
      case 8:
        return sf;
      case 9:
        return !sf;
      case 10:
        return (r & Rflags.PF) !== 0;
      case 11:
        return (r & Rflags.PF) === 0;
      case 12:
        return sf !== of;
      case 13:
        return sf === of;
      case 14:
        return zf || sf !== of;
      default:
        return !zf && sf === of;
    }
  }

  // ---------------------------------------------------------------- memory

  private memFault(): never {
    const m = this.mmu;
    if (m.faultIsNonCanonical) throw new CpuFault(Vector.GP, 0);
    throw new CpuFault(Vector.PF, m.faultErrorCode, m.faultAddress);
  }

  read8(la: number): number {
    const v = this.mmu.read8(la);
    if (v < 0) this.memFault();
    return v;
  }

  read16(la: number): number {
    const v = this.mmu.read16(la);
    if (v < 0) this.memFault();
    return v;
  }

  /** Reads 32 bits as int32. */
  read32(la: number): number {
    const v = this.mmu.read32(la);
    if (v < 0) this.memFault();
    return v | 0;
  }

  /** Reads 64 bits: returns the low half and sets `vhi`. */
  read64(la: number): number {
    if (!this.wide) return this.read64Halves(la);
    const m = this.mmu;
    const lo = m.read64!(la);
    if (lo < 0) this.memFault();
    this.vhi = m.valueHi! | 0;
    return lo | 0;
  }

  /** `read64` on an MMU without 64-bit accesses. */
  private read64Halves(la: number): number {
    const m = this.mmu;
    const lo = m.read32(la);
    if (lo < 0) this.memFault();
    const hi = m.read32(la + 4);
    if (hi < 0) this.memFault();
    this.vhi = hi | 0;
    return lo | 0;
  }

  /** Reads 64 bits as a JS number (for addresses). */
  read64n(la: number): number {
    const lo = this.read64(la);
    return this.vhi * TWO32 + (lo >>> 0);
  }

  write8(la: number, v: number): void {
    if (!this.mmu.write8(la, v & 0xff)) this.memFault();
  }

  write16(la: number, v: number): void {
    if (!this.mmu.write16(la, v & 0xffff)) this.memFault();
  }

  write32(la: number, v: number): void {
    if (!this.mmu.write32(la, v >>> 0)) this.memFault();
  }

  write64(la: number, lo: number, hi: number): void {
    if (!this.wide) this.write64Halves(la, lo, hi);
    else if (!this.mmu.write64!(la, lo, hi)) this.memFault();
  }

  /** `write64` on an MMU without 64-bit accesses. */
  private write64Halves(la: number, lo: number, hi: number): void {
    const m = this.mmu;
    // Probe the high half first so that a fault on the second page leaves memory unchanged.
    if (!m.write32(la + 4, hi >>> 0)) this.memFault();
    if (!m.write32(la, lo >>> 0)) this.memFault();
  }

  write64n(la: number, value: number): void {
    this.write64(la, value | 0, Math.floor(value / TWO32) | 0);
  }

  // Translation blocks address memory as a base register, a displacement and a segment
  // (0 none, 1 FS, 2 GS) and pass those small integers rather than the 64-bit address: a
  // non-integer-sized number crossing a call V8 did not inline is boxed, one heap
  // allocation per access.

  /** The linear address `base + disp` (base: GPR number, or -1 for none) plus the FS/GS base. */
  private addressAt(base: number, disp: number, seg: number): number {
    let la = disp;
    if (base >= 0) la += this.hi[base]! * TWO32 + (this.lo[base]! >>> 0);
    if (seg === 1) la += this.fsBase;
    else if (seg === 2) la += this.gsBase;
    return la;
  }

  /** For translation blocks: `read8` of `addressAt(base, disp, seg)`. */
  readAt8(base: number, disp: number, seg: number): number {
    return this.read8(this.addressAt(base, disp, seg));
  }

  /** For translation blocks: `read16` of `addressAt(base, disp, seg)`. */
  readAt16(base: number, disp: number, seg: number): number {
    return this.read16(this.addressAt(base, disp, seg));
  }

  /** For translation blocks: `read32` of `addressAt(base, disp, seg)`. */
  readAt32(base: number, disp: number, seg: number): number {
    return this.read32(this.addressAt(base, disp, seg));
  }

  /** For translation blocks: `read64` of `addressAt(base, disp, seg)` (low half; `vhi` the high). */
  readAt64(base: number, disp: number, seg: number): number {
    return this.read64(this.addressAt(base, disp, seg));
  }

  /** For translation blocks: `write32` at `addressAt(base, disp, seg)`. */
  writeAt32(base: number, disp: number, seg: number, v: number): void {
    this.write32(this.addressAt(base, disp, seg), v);
  }

  /** For translation blocks: `write64` at `addressAt(base, disp, seg)`. */
  writeAt64(base: number, disp: number, seg: number, lo: number, hi: number): void {
    this.write64(this.addressAt(base, disp, seg), lo, hi);
  }

  readMem(la: number, size: number): number {
    switch (size) {
      case 1:
        this.vhi = 0;
        return this.read8(la);
      case 2:
        this.vhi = 0;
        return this.read16(la);
      case 4:
        this.vhi = 0;
        return this.read32(la);
      default:
        return this.read64(la);
    }
  }

  writeMem(la: number, size: number, v: number, vhi: number): void {
    switch (size) {
      case 1:
        this.write8(la, v);
        return;
      case 2:
        this.write16(la, v);
        return;
      case 4:
        this.write32(la, v);
        return;
      default:
        this.write64(la, v, vhi);
    }
  }

  /** Pushes a 64-bit value (low/high halves). */
  push64(lo: number, hi: number): void {
    const sp = this.gpr(4) - 8;
    this.write64(sp, lo, hi);
    this.setGpr(4, sp);
  }

  pushN(value: number): void {
    this.push64(value | 0, Math.floor(value / TWO32) | 0);
  }

  /** Pops 64 bits: returns the low half and sets `vhi`. */
  pop64(): number {
    const sp = this.gpr(4);
    const lo = this.read64(sp);
    this.setGpr(4, sp + 8);
    return lo;
  }

  popN(): number {
    const lo = this.pop64();
    return this.vhi * TWO32 + (lo >>> 0);
  }

  // ---------------------------------------------------------------- operands

  /** Segment base of the instruction's memory operand (only FS and GS have one in 64-bit mode). */
  segmentBase(seg: number): number {
    if (seg === Register.FS) return this.fsBase;
    if (seg === Register.GS) return this.gsBase;
    return 0;
  }

  /** Effective address without the segment base, as exact 32-bit halves: returns low (uint32 as number), sets `vhi`. */
  private addressHalves(ins: Instruction): number {
    // The signed displacement joins the low sum; floor division of the total carries (or
    // borrows) into the high half, so no separate sign extension is needed.
    let sum = ins.memDisp;
    let hiSum = 0;
    const base = ins.memBase;
    if (base !== Register.None) {
      if (base >= Register.RAX) {
        const i = base - Register.RAX;
        sum += this.lo[i]! >>> 0;
        hiSum += this.hi[i]!;
      } else {
        sum += this.lo[base - Register.EAX]! >>> 0;
      }
    }
    const index = ins.memIndex;
    if (index !== Register.None) {
      const s = ins.memScale;
      if (index >= Register.RAX) {
        const i = index - Register.RAX;
        sum += (this.lo[i]! >>> 0) * s;
        hiSum += this.hi[i]! * s;
      } else {
        sum += (this.lo[index - Register.EAX]! >>> 0) * s;
      }
    }
    const low = sum >>> 0;
    this.vhi = (hiSum + (sum - low) / TWO32) | 0;
    return low;
  }

  /** Linear address of the instruction's memory operand. */
  ea(ins: Instruction): number {
    if (ins.memBase === Register.RIP) return ins.ip + ins.length + ins.memDisp + this.segmentBase(ins.memSeg);
    const low = this.addressHalves(ins);
    let la = ins.addressSize === 4 ? low : this.vhi * TWO32 + low;
    if (ins.memSeg === Register.FS) la += this.fsBase;
    else if (ins.memSeg === Register.GS) la += this.gsBase;
    return la;
  }

  /** LEA's result (the offset, no segment base), returned as low half with `vhi` set. */
  lea(ins: Instruction): number {
    if (ins.memBase === Register.RIP) {
      const v = ins.ip + ins.length + ins.memDisp;
      this.vhi = Math.floor(v / TWO32) | 0;
      return v | 0;
    }
    const low = this.addressHalves(ins);
    if (ins.addressSize === 4) this.vhi = 0;
    return low | 0;
  }

  /** Reads operand `n` at its size: the low 32 bits (int32, or masked for 8/16-bit) and `vhi`. */
  readOp(ins: Instruction, n: number): number {
    switch (ins.opKind[n]) {
      case OpKind.Register:
        return this.readReg(ins.opReg[n]!);
      case OpKind.Memory:
        return this.readMem(this.ea(ins), ins.opSize[n]!);
      case OpKind.Immediate:
        this.vhi = ins.immHi | 0;
        return ins.immLo | 0;
      default:
        throw new CpuFault(Vector.UD, -1);
    }
  }

  /** Writes operand `n` at its size. */
  writeOp(ins: Instruction, n: number, v: number, vhi: number): void {
    if (ins.opKind[n] === OpKind.Register) this.writeReg(ins.opReg[n]!, v, vhi);
    else this.writeMem(this.ea(ins), ins.opSize[n]!, v, vhi);
  }

  // ---------------------------------------------------------------- privileged state

  /** Pushes CPL, CR0.WP, EFER.NXE, CR4.SMEP/SMAP and RFLAGS.AC to the MMU. */
  updatePagingMode(): void {
    // One record, refilled: this runs on every SYSCALL, SYSRET and interrupt.
    const mode = this.pagingMode;
    mode.cpl = this.cpl;
    mode.writeProtect = (this.cr0 & Cr0.WP) !== 0;
    mode.noExecute = (this.efer & Efer.NXE) !== 0;
    mode.smep = (this.cr4 & Cr4.SMEP) !== 0;
    mode.smap = (this.cr4 & Cr4.SMAP) !== 0 && (this.rflags & Rflags.AC) === 0;
    this.mmu.setMode(mode);
  }

  setCpl(cpl: number): void {
    if (cpl !== this.cpl) {
      this.cpl = cpl;
      this.updatePagingMode();
    }
  }

  /** Reads an MSR as [lo, hi], or undefined if the MSR does not exist (#GP). */
  readMsr(msr: number): [number, number] | undefined {
    const split = (v: number): [number, number] => [v | 0, Math.floor(v / TWO32) | 0];
    switch (msr) {
      case Msr.EFER:
        return [this.efer, 0];
      case Msr.STAR:
        return [this.starLo, this.starHi];
      case Msr.LSTAR:
        return split(this.lstar);
      case Msr.CSTAR:
        return split(this.cstar);
      case Msr.SYSCALL_MASK:
        return [this.fmask, 0];
      case Msr.FS_BASE:
        return split(this.fsBase);
      case Msr.GS_BASE:
        return split(this.gsBase);
      case Msr.KERNEL_GS_BASE:
        return split(this.kernelGsBase);
      case Msr.TSC:
        return split(this.instret);
      case Msr.TSC_AUX:
        return [this.tscAux, 0];
      default:
        return this.msrHook?.read(msr);
    }
  }

  /** Writes an MSR; returns false if it does not exist or the value is invalid (#GP). */
  writeMsr(msr: number, lo: number, hi: number): boolean {
    const value = hi * TWO32 + (lo >>> 0);
    const canonical = value >= -0x800000000000 && value < 0x800000000000;
    switch (msr) {
      case Msr.EFER:
        this.efer = lo | Efer.LMA;
        this.updatePagingMode();
        return true;
      case Msr.STAR:
        this.starLo = lo | 0;
        this.starHi = hi | 0;
        return true;
      case Msr.LSTAR:
        if (!canonical) return false;
        this.lstar = value;
        return true;
      case Msr.CSTAR:
        if (!canonical) return false;
        this.cstar = value;
        return true;
      case Msr.SYSCALL_MASK:
        this.fmask = lo | 0;
        return true;
      case Msr.FS_BASE:
        if (!canonical) return false;
        this.fsBase = value;
        return true;
      case Msr.GS_BASE:
        if (!canonical) return false;
        this.gsBase = value;
        return true;
      case Msr.KERNEL_GS_BASE:
        if (!canonical) return false;
        this.kernelGsBase = value;
        return true;
      case Msr.TSC_AUX:
        this.tscAux = lo | 0;
        return true;
      default:
        return this.msrHook?.write(msr, lo, hi) ?? false;
    }
  }

  // ---------------------------------------------------------------- execution

  /** Asks the run loop to stop after the current instruction (from a native function). */
  stop(reason: string): never {
    this.stopRequest = reason;
    throw new CpuStop(reason);
  }

  /** The reason passed to the last `stop`. */
  get stopReason(): string | undefined {
    return this.stopRequest;
  }

  /**
   * Where the current `run` ends (an instruction count). A field, not a local: a native that
   * runs guest code re-enters `run`, which leaves this at its own end, so the interrupted outer
   * run stops after the native returns and its caller gets to account for the time (the
   * APIC timer) before anything else executes.
   */
  /** @internal read by REP string instructions, which stop between iterations at the slice's end */
  sliceEnd = 0;

  /** Ends the current `run` after the instruction in progress (a native that ran guest code calls it). */
  endSlice(): void {
    this.sliceEnd = this.instret;
  }

  /** Runs until `budget` instructions have retired, HLT, or a stop. */
  run(budget: number): StopReason {
    this.sliceEnd = this.instret + budget;
    this.stopRequest = undefined;
    while (this.instret < this.sliceEnd) {
      if (this.halted) {
        if (this.interruptsEnabled && this.interrupts?.hasPending) this.halted = false;
        else return StopReason.Halted;
      }
      try {
        this.loop();
      } catch (e) {
        const tb = this.block;
        if (tb !== undefined) {
          this.block = undefined;
          this.retireBlockPrefix(tb);
        }
        if (e instanceof CpuFault) {
          this.rip = this.instructionIp;
          this.raise(e.vector, e.errorCode, e.address);
        } else if (e instanceof CpuStop) {
          this.stopRequest = e.reason;
          return StopReason.Stopped;
        } else {
          throw e;
        }
      }
    }
    return StopReason.Budget;
  }

  /**
   * Whether the CPU takes a pending external interrupt before the instruction that starts
   * when `instret` instructions have retired: RFLAGS.IF set, past the STI shadow, a vector
   * pending. The run loop asks before every instruction; a translation block that loops on
   * itself asks before every pass.
   */
  takesInterrupt(instret: number): boolean {
    return (
      (this.rflags & Rflags.IF) !== 0 &&
      instret > this.interruptShadowUntil &&
      this.interrupts?.hasPending === true
    );
  }

  private loop(): void {
    const handlers = handlerTable;
    while (this.instret < this.sliceEnd) {
      if (this.takesInterrupt(this.instret)) {
        const vector = this.interrupts!.acknowledge();
        if (vector >= 0) this.deliver(vector, -1, this.rip);
      }
      const rip = this.rip;
      this.instructionIp = rip;
      if (!this.onFetchPage(rip)) {
        // another page: make it the fetch page, then look for a block there
        this.setFetchPage(rip);
        continue;
      }
      const off = rip - this.fetchLa;
      const page = this.fetchPage!;
      const tb = page.blocks[off];
      if (tb != null) {
        if (tb.ip === rip && this.instret + tb.count <= this.sliceEnd) {
          this.block = tb;
          this.blockRetired = 0;
          const n = tb.run(this);
          this.block = undefined;
          this.instret += n;
          this.userInstret += n * (this.cpl >> 1);
          this.blockInstret += n;
          continue;
        }
      } else if (tb === undefined && this.translate) {
        if (page.heat[off]! >= HOT_BLOCK) {
          page.blocks[off] = this.translateAt(rip, off, page);
          continue;
        }
        page.heat[off]!++;
      }
      const ins = this.decodedAt(rip, off, page);
      this.rip = ins.ip + ins.length;
      // CPL 3 → 1, CPL 0 → 0: counted before the instruction, which may change the CPL
      this.userInstret += this.cpl >> 1;
      handlers[ins.mnemonic]!(this, ins);
      this.instret++;
      if (this.halted) return;
    }
  }

  /**
   * Translates the block at `rip` (offset `off` of the current fetch page), or returns null
   * when its first instruction is one only the interpreter runs (or cannot be decoded
   * within the page: the interpreter raises the fault).
   */
  private translateAt(rip: number, off: number, page: DecodedPage): TranslationBlock | null {
    const inPage = (ip: number): Instruction | undefined => {
      const o = off + (ip - rip);
      if (o >= 4096) return undefined;
      const cached = page.slots[o];
      if (cached !== undefined && cached.ip === ip) return cached;
      const ins = new Instruction();
      return this.decodeInPage(ip, o, page, ins) === DecodeStatus.Ok ? ins : undefined;
    };
    const first = inPage(rip);
    if (first === undefined) return null;
    let tb: TranslationBlock | null;
    try {
      tb = translateBlock(first, inPage, page.pfn, page.version, this.directTlb);
    } catch (e) {
      // A host that forbids compiling code at run time (a content security policy without
      // 'unsafe-eval') still runs everything, in the interpreter.
      if (!(e instanceof EvalError)) throw e;
      this.translate = false;
      return null;
    }
    if (tb !== null) this.blocksTranslated++;
    return tb;
  }

  /**
   * A fault inside a translation block: the instructions before the faulting one have
   * retired (the block adds its count only at its end); the faulting one has been counted
   * as a user instruction, as the interpreter counts it before running it.
   */
  private retireBlockPrefix(tb: TranslationBlock): void {
    const done = this.blockRetired + Math.max(0, tb.ips.indexOf(this.instructionIp));
    this.instret += done;
    this.blockInstret += done;
    this.userInstret += (done + 1) * (this.cpl >> 1);
  }

  /** Executes exactly one instruction (delivering a pending interrupt or fault first, as `run` would). */
  step(): StopReason {
    return this.run(1);
  }

  private fetchFault(la: number): never {
    const m = this.mmu;
    if (m.faultIsNonCanonical) throw new CpuFault(Vector.GP, 0);
    throw new CpuFault(Vector.PF, m.faultErrorCode, la);
  }

  /**
   * Fetches and decodes the instruction at RIP, through the per-physical-page decoded cache.
   * The fast path stays on the page of the previous fetch: same linear page, same CPL, no
   * TLB flush since, and the physical page not written since it was decoded.
   */
  fetch(): Instruction {
    const rip = this.rip;
    this.instructionIp = rip;
    if (!this.onFetchPage(rip)) this.setFetchPage(rip);
    return this.decodedAt(rip, rip - this.fetchLa, this.fetchPage!);
  }

  /**
   * Whether `rip` is on the page of the previous fetch, with the same CPL, no TLB flush since,
   * and the physical page not written since it was decoded: then its decoded instructions
   * and translation blocks are current.
   */
  private onFetchPage(rip: number): boolean {
    const off = rip - this.fetchLa;
    const page = this.fetchPage;
    return (
      off >= 0 &&
      off < 4096 &&
      page !== undefined &&
      this.fetchFlushes === this.mmu.flushes &&
      this.fetchCpl === this.cpl &&
      page.version === this.mmu.pageVersions[page.pfn]
    );
  }

  /** The instruction at offset `off` of the fetch page: from its decoded cache, or decoded now. */
  private decodedAt(rip: number, off: number, page: DecodedPage): Instruction {
    const cached = page.slots[off];
    if (cached !== undefined && cached.ip === rip) return cached;
    return this.decodeAt(rip, off, page);
  }

  /**
   * Makes the page of `rip` the fetch page (raising the fetch's #PF or #GP). The page
   * fetched from before is kept aside: a system call goes from user code to the kernel
   * entry and back, and each return finds its page there without a TLB lookup. That is
   * only a shortcut for a lookup that would hit: it is taken while no TLB flush has
   * happened since, at the same CPL, with the page's decoded cache still current.
   */
  private setFetchPage(rip: number): void {
    const m = this.mmu;
    const alt = this.altPage;
    let page: DecodedPage;
    let la: number;
    if (
      rip - this.altLa >= 0 &&
      rip - this.altLa < 4096 &&
      alt !== undefined &&
      this.altFlushes === m.flushes &&
      this.altCpl === this.cpl &&
      alt.version === m.pageVersions[alt.pfn]
    ) {
      page = alt;
      la = this.altLa;
    } else {
      const pa = m.translateFetch(rip);
      if (pa < 0) this.fetchFault(rip);
      const pfn = Math.floor(pa / 4096);
      const version = m.pageVersions[pfn]!;
      const known = this.pages.get(pfn);
      page = known !== undefined && known.version === version ? known : new DecodedPage(pfn, version);
      if (page !== known) this.pages.set(pfn, page);
      la = rip - (pa - pfn * 4096);
    }
    const cur = this.fetchPage;
    if (cur !== undefined && cur !== page) {
      this.altLa = this.fetchLa;
      this.altPage = cur;
      this.altFlushes = this.fetchFlushes;
      this.altCpl = this.fetchCpl;
    }
    this.fetchLa = la;
    this.fetchPage = page;
    this.fetchFlushes = m.flushes;
    this.fetchCpl = this.cpl;
  }

  /**
   * Decodes the instruction at `offset` of `page` from the bytes within the page (left in
   * `fetchBuffer`) into `ins`, and caches it in the page when it is valid.
   */
  private decodeInPage(rip: number, offset: number, page: DecodedPage, ins: Instruction): DecodeStatus {
    const buf = this.fetchBuffer;
    const n = Math.min(15, 4096 - offset);
    const pa = page.pfn * 4096 + offset;
    for (let i = 0; i < n; i++) buf[i] = this.mmu.readPhys8(pa + i);
    const status = this.decoder.decode(buf, 0, n, rip, ins);
    if (status === DecodeStatus.Ok) page.slots[offset] = ins;
    return status;
  }

  /** The instruction at `offset` of `page`, decoded now; #UD when invalid, #PF/#GP when its bytes run onto an unmapped page. */
  private decodeAt(rip: number, offset: number, page: DecodedPage): Instruction {
    const ins = new Instruction();
    const status = this.decodeInPage(rip, offset, page, ins);
    if (status === DecodeStatus.Ok) return ins;
    const inPage = 4096 - offset;
    if (status === DecodeStatus.NeedMoreBytes && inPage < 15) {
      const m = this.mmu;
      const buf = this.fetchBuffer;
      const next = rip + inPage;
      const pa2 = m.translateFetch(next);
      if (pa2 < 0) this.fetchFault(next);
      for (let i = inPage; i < 15; i++) buf[i] = m.readPhys8(pa2 + i - inPage);
      // An instruction that straddles two pages is not cached: a write to the second page would not invalidate it.
      if (this.decoder.decode(buf, 0, 15, rip, ins) === DecodeStatus.Ok) return ins;
    }
    throw new CpuFault(Vector.UD, -1);
  }

  /** The bytes of the instruction at RIP, for diagnostics (uses a scratch record). */
  peekInstruction(): Instruction | undefined {
    try {
      const ins = this.fetch();
      return ins;
    } catch {
      return undefined;
    }
  }

  /** Raises an exception from outside an instruction handler (e.g. a native function). */
  fault(vector: number, errorCode = -1, address = 0): never {
    throw new CpuFault(vector, errorCode, address);
  }

  /** Delivers exception `vector` for the instruction at RIP (which has been rewound for faults). */
  raise(vector: number, errorCode: number, address: number): void {
    if (vector === Vector.PF) this.cr2 = address;
    this.deliver(vector, hasErrorCode(vector) ? errorCode : -1, this.rip);
  }

  /**
   * Delivers an interrupt or exception through the 64-bit IDT (SDM Vol. 3, 6.14): switches
   * to CPL 0 and the TSS's RSP0 when coming from user mode, aligns RSP to 16 bytes, pushes
   * SS, RSP, RFLAGS, CS, RIP and the error code, and clears IF for an interrupt gate.
   */
  deliver(vector: number, errorCode: number, returnIp: number): void {
    if (this.delivering > 0) {
      if (this.delivering > 1 || vector === Vector.DF)
        throw new CpuStop(`triple fault (vector ${vector} while delivering)`);
    }
    this.delivering++;
    try {
      if (vector * 16 + 15 > this.idtLimit) throw new CpuFault(Vector.GP, vector * 8 + 2);
      const oldCpl = this.cpl;
      const oldSs = this.sreg[2]!;
      const oldCs = this.sreg[1]!;
      const oldRsp = this.gpr(4);
      const oldFlags = this.getRflags();
      // IDT, GDT and TSS accesses are supervisor accesses.
      this.setCpl(0);
      const gate = this.idtBase + vector * 16;
      const w0 = this.read32(gate);
      const w1 = this.read32(gate + 4);
      const w2 = this.read32(gate + 8);
      if ((w1 & 0x8000) === 0) throw new CpuFault(Vector.NP, vector * 8 + 2);
      const target = w2 * TWO32 + (((w1 & 0xffff0000) | (w0 & 0xffff)) >>> 0);
      const selector = w0 >>> 16;
      let rsp: number;
      if (oldCpl !== 0) {
        rsp = this.read64n(this.trBase + 4);
      } else {
        rsp = oldRsp;
      }
      rsp = Math.floor(rsp / 16) * 16; // 64-bit mode aligns the new stack to 16 bytes
      const frame = hasErrorCode(vector) && errorCode >= 0 ? 6 : 5;
      const top = rsp - frame * 8;
      this.write64n(rsp - 8, oldCpl !== 0 ? oldSs : oldSs);
      this.write64n(rsp - 16, oldRsp);
      this.write64(rsp - 24, oldFlags, 0);
      this.write64(rsp - 32, oldCs, 0);
      this.write64n(rsp - 40, returnIp);
      if (frame === 6) this.write64(rsp - 48, errorCode, 0);
      this.setGpr(4, top);
      this.sreg[1] = selector;
      if (oldCpl !== 0) this.sreg[2] = 0;
      let flags = oldFlags & ~(Rflags.TF | Rflags.NT | Rflags.RF | Rflags.VM);
      const type = (w1 >> 8) & 0xf;
      if (type === 0xe) flags &= ~Rflags.IF;
      this.rflags = flags;
      this.rip = target;
      this.halted = false;
      this.updatePagingMode();
    } catch (e) {
      if (e instanceof CpuFault) {
        this.delivering++;
        this.deliverDoubleFault();
        return;
      }
      throw e;
    } finally {
      this.delivering = 0;
    }
    this.onDeliver?.(vector, errorCode);
  }

  private deliverDoubleFault(): void {
    throw new CpuStop('double fault while delivering an exception');
  }

  /** IRETQ (SDM IRET, 64-bit mode): pops RIP, CS, RFLAGS, RSP and SS. */
  iretq(): void {
    const sp = this.gpr(4);
    const ip = this.read64n(sp);
    const cs = this.read32(sp + 8) & 0xffff;
    const flags = this.read32(sp + 16);
    const rsp = this.read64n(sp + 24);
    const ss = this.read32(sp + 32) & 0xffff;
    const rpl = cs & 3;
    if (rpl < this.cpl) throw new CpuFault(Vector.GP, cs & 0xfffc);
    let newFlags = flags;
    if (this.cpl !== 0)
      newFlags = (newFlags & ~(Rflags.IOPL | Rflags.IF)) | (this.rflags & (Rflags.IOPL | Rflags.IF));
    this.rip = ip;
    this.sreg[1] = cs;
    this.sreg[2] = ss;
    this.setGpr(4, rsp);
    this.cpl = rpl;
    this.setRflags(newFlags);
    if (rpl === 3) this.onReturnToUser?.('iret');
  }
}
