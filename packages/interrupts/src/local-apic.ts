import {
  APIC_ARBPRI,
  APIC_DFR,
  APIC_EOI,
  APIC_ESR,
  APIC_ESR_ILLEGAL_REGISTER,
  APIC_ESR_RECV_ILLEGAL_VECTOR,
  APIC_ESR_SEND_ILLEGAL_VECTOR,
  APIC_ICR,
  APIC_ICR2,
  APIC_ID,
  APIC_LDR,
  APIC_LVR,
  APIC_LVT_MASKED,
  APIC_LVT0,
  APIC_LVT1,
  APIC_LVTCMCI,
  APIC_LVTERR,
  APIC_LVTPC,
  APIC_LVTT,
  APIC_LVTTHMR,
  APIC_PROCPRI,
  APIC_RRR,
  APIC_SELF_IPI,
  APIC_SPIV,
  APIC_SPIV_APIC_ENABLED,
  APIC_TASKPRI,
  APIC_TDCR,
  APIC_TMCCT,
  APIC_TMICT,
  x2apicOffset,
} from './apic-registers.js';
import { timerDivisor } from './apic-timer.js';

/** Where a local APIC sends the IPIs written to its ICR (see `ApicBus`). */
export interface IpiSink {
  /** `icr` is the low ICR dword, `destination` the APIC ID / logical destination. */
  sendIpi(from: LocalApic, icr: number, destination: number): void;
}

/** Options for {@link LocalApic}. */
export interface LocalApicOptions {
  /** APIC ID (default 0). */
  apicId?: number;
  /** Timer input clock in Hz before the divider (default 1 GHz: one tick per ns). */
  busFrequencyHz?: number;
  /** Bootstrap processor (sets IA32_APIC_BASE.BSP). */
  bsp?: boolean;
}

/** LVT write masks (SDM Figure 10-8): which bits software can set. */
const LVT_TIMER_BITS = 0x000700ff; // vector, mask, timer mode (17..18)
const LVT_LINT_BITS = 0x0001a7ff; // vector, delivery mode, polarity, trigger, mask
const LVT_DM_BITS = 0x000107ff; // vector, delivery mode, mask (thermal, perf, CMCI)
const LVT_ERROR_BITS = 0x000100ff; // vector, mask

/** `LVR`: version 0x14 (integrated APIC), 6 LVT entries (max LVT index 5). */
const APIC_VERSION = 0x00050014;

/**
 * One CPU's local APIC (SDM Vol. 3A ch. 10), as a register file at the xAPIC offsets with an
 * x2APIC MSR view. It latches interrupts (IRR), tracks the ones being serviced (ISR), applies
 * TPR/PPR priority, and runs the APIC timer on simulated time via {@link advance}.
 * Structurally implements `InterruptSource` of `@legosim/cpu`: the CPU polls `hasPending`
 * between instructions when IF = 1 and calls `acknowledge()` to take the vector.
 *
 * Simplifications (documented gaps): fixed interrupts are latched even while the APIC is
 * software-disabled (LVT sources are masked then); TSC-deadline mode does not count; NMI,
 * INIT and SIPI IPIs are only recorded (`nmiPending`, `initPending`, `startupVector`).
 */
export class LocalApic {
  /** True when the highest pending vector's priority class is above PPR's: the CPU can take it. */
  hasPending = false;
  /** Interrupt request register: 256 bits, vector v at word v >> 5, bit v & 31. */
  readonly irr: Uint32Array = new Uint32Array(8);
  /** In-service register. */
  readonly isr: Uint32Array = new Uint32Array(8);
  /** Trigger mode register (1 = level). */
  readonly tmr: Uint32Array = new Uint32Array(8);
  /** Timer input clock (Hz) before the divider. */
  readonly busFrequencyHz: number;
  /** IA32_APIC_BASE MSR value (low 32 bits). */
  baseMsr: number;
  /** Where ICR writes go; set by `ApicBus.attach`. Without one, only self IPIs are delivered. */
  bus: IpiSink | undefined = undefined;

  /** An NMI IPI arrived (the machine clears it when it delivers the NMI). */
  nmiPending = false;
  /** An INIT IPI arrived. */
  initPending = false;
  /** Vector of the last STARTUP IPI, or -1. */
  startupVector = -1;

  /** Counters for --stats. */
  accepted = 0;
  eois = 0;
  timerExpirations = 0;
  ipisSent = 0;

  private id: number;
  private tpr = 0;
  private ppr = 0;
  private ldr = 0;
  private dfr = 0xffffffff;
  private spiv = 0xff;
  private esr = 0;
  private esrPending = 0;
  private icrLo = 0;
  private icrDest = 0;
  private lvtTimer = APIC_LVT_MASKED;
  private lvtThermal = APIC_LVT_MASKED;
  private lvtPerf = APIC_LVT_MASKED;
  private lvtLint0 = APIC_LVT_MASKED;
  private lvtLint1 = APIC_LVT_MASKED;
  private lvtError = APIC_LVT_MASKED;
  private lvtCmci = APIC_LVT_MASKED;
  private tdcr = 0;
  private initialCount = 0;
  private currentCount = 0;
  /** Nanoseconds per timer count at the current divider. */
  private countNs: number;
  /** Nanoseconds elapsed toward the next count. */
  private residualNs = 0;

  constructor(options: LocalApicOptions = {}) {
    this.id = options.apicId ?? 0;
    this.busFrequencyHz = options.busFrequencyHz ?? 1e9;
    this.baseMsr = 0xfee00000 | 0x800 | (options.bsp ? 0x100 : 0);
    this.countNs = (timerDivisor(0) * 1e9) / this.busFrequencyHz;
  }

  /** The APIC ID. */
  get apicId(): number {
    return this.id;
  }

  /** SPIV bit 8: the APIC is software-enabled. */
  get enabled(): boolean {
    return (this.spiv & APIC_SPIV_APIC_ENABLED) !== 0;
  }

  /** Reads the 32-bit register at xAPIC `offset` (16-byte aligned). */
  readRegister(offset: number): number {
    switch (offset) {
      case APIC_ID:
        return (this.id << 24) >>> 0;
      case APIC_LVR:
        return APIC_VERSION;
      case APIC_TASKPRI:
        return this.tpr;
      case APIC_ARBPRI:
        return 0;
      case APIC_PROCPRI:
        return this.ppr;
      case APIC_EOI:
      case APIC_RRR:
        return 0;
      case APIC_LDR:
        return this.ldr;
      case APIC_DFR:
        return this.dfr;
      case APIC_SPIV:
        return this.spiv;
      case APIC_ESR:
        return this.esr;
      case APIC_LVTCMCI:
        return this.lvtCmci;
      case APIC_ICR:
        return this.icrLo; // delivery status (bit 12) is always idle: IPIs are delivered at once
      case APIC_ICR2:
        return (this.icrDest << 24) >>> 0;
      case APIC_LVTT:
        return this.lvtTimer;
      case APIC_LVTTHMR:
        return this.lvtThermal;
      case APIC_LVTPC:
        return this.lvtPerf;
      case APIC_LVT0:
        return this.lvtLint0;
      case APIC_LVT1:
        return this.lvtLint1;
      case APIC_LVTERR:
        return this.lvtError;
      case APIC_TMICT:
        return this.initialCount;
      case APIC_TMCCT:
        return this.currentCount;
      case APIC_TDCR:
        return this.tdcr;
    }
    if (offset >= 0x100 && offset < 0x280 && (offset & 0xf) === 0) {
      const word = ((offset - 0x100) >>> 4) & 7;
      if (offset < 0x180) return this.isr[word]!;
      if (offset < 0x200) return this.tmr[word]!;
      return this.irr[word]!;
    }
    this.esrPending |= APIC_ESR_ILLEGAL_REGISTER;
    return 0;
  }

  /** Writes the 32-bit register at xAPIC `offset`. Read-only registers ignore writes. */
  writeRegister(offset: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case APIC_ID:
        this.id = value >>> 24;
        return;
      case APIC_TASKPRI:
        this.tpr = value & 0xff;
        this.update();
        return;
      case APIC_EOI:
        this.eoi();
        return;
      case APIC_LDR:
        this.ldr = (value & 0xff000000) >>> 0;
        return;
      case APIC_DFR:
        this.dfr = (value | 0x0fffffff) >>> 0;
        return;
      case APIC_SPIV:
        this.spiv = value & 0x13ff;
        if (!this.enabled) {
          this.lvtTimer |= APIC_LVT_MASKED;
          this.lvtThermal |= APIC_LVT_MASKED;
          this.lvtPerf |= APIC_LVT_MASKED;
          this.lvtLint0 |= APIC_LVT_MASKED;
          this.lvtLint1 |= APIC_LVT_MASKED;
          this.lvtError |= APIC_LVT_MASKED;
          this.lvtCmci |= APIC_LVT_MASKED;
        }
        return;
      case APIC_ESR:
        this.esr = this.esrPending;
        this.esrPending = 0;
        return;
      case APIC_ICR:
        this.icrLo = value & 0x000ccfff;
        this.sendIpi();
        return;
      case APIC_ICR2:
        this.icrDest = value >>> 24;
        return;
      case APIC_LVTT:
        this.lvtTimer = this.lvt(value, LVT_TIMER_BITS);
        return;
      case APIC_LVTTHMR:
        this.lvtThermal = this.lvt(value, LVT_DM_BITS);
        return;
      case APIC_LVTPC:
        this.lvtPerf = this.lvt(value, LVT_DM_BITS);
        return;
      case APIC_LVT0:
        this.lvtLint0 = this.lvt(value, LVT_LINT_BITS);
        return;
      case APIC_LVT1:
        this.lvtLint1 = this.lvt(value, LVT_LINT_BITS);
        return;
      case APIC_LVTERR:
        this.lvtError = this.lvt(value, LVT_ERROR_BITS);
        return;
      case APIC_LVTCMCI:
        this.lvtCmci = this.lvt(value, LVT_DM_BITS);
        return;
      case APIC_TMICT:
        this.initialCount = value;
        this.currentCount = value;
        this.residualNs = 0;
        return;
      case APIC_TDCR:
        this.tdcr = value & 0xb;
        this.countNs = (timerDivisor(this.tdcr) * 1e9) / this.busFrequencyHz;
        return;
      case APIC_SELF_IPI:
        this.raise(value & 0xff);
        return;
    }
  }

  /** Byte/word/dword MMIO read at any offset in the APIC page (registers are 32 bits wide). */
  mmioRead(offset: number, size: 1 | 2 | 4): number {
    const within = offset & 0xf;
    if (within + size > 4) return 0;
    const value = this.readRegister(offset - within) >>> (within * 8);
    return size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
  }

  /** MMIO write: only a dword at the start of a register reaches it (narrower writes are dropped). */
  mmioWrite(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size === 4 && (offset & 0xf) === 0) this.writeRegister(offset, value);
  }

  /** RDMSR of an x2APIC register (0x800..0x8ff): the low 32 bits. */
  readMsr(msr: number): number {
    const offset = x2apicOffset(msr);
    if (offset === APIC_ID) return this.id;
    if (offset === APIC_ICR2) return 0;
    return offset < 0 ? 0 : this.readRegister(offset);
  }

  /** RDMSR high 32 bits: the destination of ICR (MSR 0x830), 0 elsewhere. */
  readMsrHigh(msr: number): number {
    return x2apicOffset(msr) === APIC_ICR ? this.icrDest : 0;
  }

  /** WRMSR of an x2APIC register; ICR (0x830) takes the destination in `hi` and sends. */
  writeMsr(msr: number, lo: number, hi = 0): void {
    const offset = x2apicOffset(msr);
    if (offset === APIC_ICR) {
      this.icrDest = hi >>> 0;
      this.icrLo = lo & 0x000ccfff;
      this.sendIpi();
    } else if (offset >= 0) {
      this.writeRegister(offset, lo);
    }
  }

  /** Latches `vector` into IRR (a device interrupt or a received IPI). Vectors 0..15 are illegal. */
  raise(vector: number, levelTriggered = false): void {
    vector &= 0xff;
    if (vector < 16) {
      this.error(APIC_ESR_RECV_ILLEGAL_VECTOR);
      return;
    }
    const w = vector >>> 5;
    const bit = 1 << (vector & 31);
    this.irr[w]! |= bit;
    if (levelTriggered) this.tmr[w]! |= bit;
    else this.tmr[w]! &= ~bit;
    this.update();
  }

  /**
   * INTA: moves the highest pending vector from IRR to ISR and returns it; -1 when nothing is
   * pending above the processor priority.
   */
  acknowledge(): number {
    const v = highest(this.irr);
    if (v < 0 || (v & 0xf0) <= (this.ppr & 0xf0)) return -1;
    const w = v >>> 5;
    const bit = 1 << (v & 31);
    this.irr[w]! &= ~bit;
    this.isr[w]! |= bit;
    this.accepted++;
    this.update();
    return v;
  }

  /** EOI: clears the highest in-service vector. */
  eoi(): void {
    const v = highest(this.isr);
    if (v >= 0) {
      this.isr[v >>> 5]! &= ~(1 << (v & 31));
      this.eois++;
    }
    this.update();
  }

  /** Highest vector in IRR, or -1. */
  highestRequested(): number {
    return highest(this.irr);
  }

  /** Highest vector in ISR, or -1. */
  highestInService(): number {
    return highest(this.isr);
  }

  /**
   * Advances the timer by `ns` nanoseconds of simulated time. When the count reaches 0 the
   * LVT timer vector is raised (unless masked) and, in periodic mode, the count reloads;
   * several expirations in one call still latch one IRR bit. Returns the expirations.
   */
  advance(ns: number): number {
    if (this.currentCount === 0 || ns <= 0 || (this.lvtTimer & 0x60000) === 0x40000) return 0;
    const total = this.residualNs + ns;
    const counts = Math.floor(total / this.countNs);
    this.residualNs = total - counts * this.countNs;
    if (counts < this.currentCount) {
      this.currentCount -= counts;
      return 0;
    }
    let fired = 1;
    const rest = counts - this.currentCount;
    if ((this.lvtTimer & 0x60000) === 0x20000 && this.initialCount > 0) {
      fired += Math.floor(rest / this.initialCount);
      this.currentCount = this.initialCount - (rest % this.initialCount);
    } else {
      this.currentCount = 0;
      this.residualNs = 0;
    }
    this.timerExpirations += fired;
    if ((this.lvtTimer & APIC_LVT_MASKED) === 0) this.raise(this.lvtTimer & 0xff);
    return fired;
  }

  /** Nanoseconds until the timer next raises its vector, or Infinity (stopped, masked, TSC-deadline). */
  nextEventIn(): number {
    if (this.currentCount === 0 || (this.lvtTimer & APIC_LVT_MASKED) !== 0) return Infinity;
    if ((this.lvtTimer & 0x60000) === 0x40000) return Infinity;
    return this.currentCount * this.countNs - this.residualNs;
  }

  /** The timer's current divisor (1..128). */
  get timerDivisor(): number {
    return timerDivisor(this.tdcr);
  }

  private lvt(value: number, bits: number): number {
    let v = value & bits;
    if (!this.enabled) v |= APIC_LVT_MASKED;
    return v >>> 0;
  }

  private error(bits: number): void {
    this.esrPending |= bits;
    const vector = this.lvtError & 0xff;
    if ((this.lvtError & APIC_LVT_MASKED) === 0 && vector >= 16) this.raise(vector);
  }

  private sendIpi(): void {
    const vector = this.icrLo & 0xff;
    const mode = this.icrLo & 0x700;
    if (mode === 0 || mode === 0x100) {
      if (vector < 16) {
        this.error(APIC_ESR_SEND_ILLEGAL_VECTOR);
        return;
      }
    }
    this.ipisSent++;
    if (this.bus !== undefined) this.bus.sendIpi(this, this.icrLo, this.icrDest);
    else if ((this.icrLo & 0xc0000) === 0x40000) this.raise(vector);
  }

  /** Recomputes PPR (SDM §10.8.3.1) and `hasPending`. */
  private update(): void {
    const isrv = highest(this.isr);
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0;
    this.ppr = (this.tpr & 0xf0) >= isrClass ? this.tpr : isrClass;
    const irrv = highest(this.irr);
    this.hasPending = irrv >= 0 && (irrv & 0xf0) > (this.ppr & 0xf0);
  }

  /** Logical destination match (flat or cluster model, from DFR). */
  matchesLogical(destination: number): boolean {
    const ldr = this.ldr >>> 24;
    if (this.dfr >>> 28 === 0xf) return (ldr & destination & 0xff) !== 0;
    return destination >>> 4 === ldr >>> 4 && (destination & ldr & 0xf) !== 0;
  }
}

/** Highest set bit of a 256-bit bitmap, or -1. */
function highest(bits: Uint32Array): number {
  for (let w = 7; w >= 0; w--) {
    const v = bits[w]!;
    if (v !== 0) return w * 32 + 31 - Math.clz32(v);
  }
  return -1;
}
