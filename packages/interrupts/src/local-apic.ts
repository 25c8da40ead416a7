import {
  APIC_ARBPRI,
  APIC_BASE_MSR,
  APIC_DEFAULT_PHYS_BASE,
  APIC_DEST_ALLINC,
  APIC_DEST_SELF,
  APIC_DFR,
  APIC_DFR_FLAT,
  APIC_DM_EXTINT,
  APIC_DM_FIXED,
  APIC_DM_INIT,
  APIC_DM_LOWEST,
  APIC_DM_MASK,
  APIC_DM_NMI,
  APIC_DM_STARTUP,
  APIC_EOI,
  APIC_ESR,
  APIC_ESR_ILLEGAL_REGISTER,
  APIC_ESR_RECV_ILLEGAL_VECTOR,
  APIC_ESR_SEND_ILLEGAL_VECTOR,
  APIC_ICR,
  APIC_ICR_WRITABLE,
  APIC_ICR2,
  APIC_ID,
  APIC_IRR,
  APIC_ISR,
  APIC_LAST_MSR,
  APIC_LDR,
  APIC_LVR,
  APIC_LVT_DM_BITS,
  APIC_LVT_ERROR_BITS,
  APIC_LVT_LINT_BITS,
  APIC_LVT_MASKED,
  APIC_LVT_TIMER_BITS,
  APIC_LVT_TIMER_MODE,
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
  APIC_SHORTHAND_MASK,
  APIC_SPIV,
  APIC_SPIV_APIC_ENABLED,
  APIC_TASKPRI,
  APIC_TDCR,
  APIC_TMCCT,
  APIC_TMICT,
  APIC_TMR,
  MSR_IA32_APICBASE,
  MSR_IA32_APICBASE_BSP,
  MSR_IA32_APICBASE_ENABLE,
  MSR_IA32_APICBASE_EXTD,
  MSR_IA32_TSC_DEADLINE,
  x2apicOffset,
} from './apic-registers.js';
import { ApicTimer, type TscReader, timerDivisor } from './apic-timer.js';
import { apicBaseWriteAllowed, x2apicReadable, x2apicWritableBits } from './x2apic.js';

/** Where a local APIC sends the IPIs written to its ICR, and its EOI broadcasts (see `ApicBus`). */
export interface IpiSink {
  /** `icr` is the low ICR dword, `destination` the APIC ID / logical destination. */
  sendIpi(from: LocalApic, icr: number, destination: number): void;
  /** EOI of a level-triggered vector: IO-APICs clear the remote IRR of entries using it. */
  broadcastEoi?(vector: number): void;
}

/** Options for {@link LocalApic}. */
export interface LocalApicOptions {
  /** APIC ID (default 0). */
  apicId?: number;
  /** Timer input clock in Hz before the divider (default 1 GHz: one tick per ns). */
  busFrequencyHz?: number;
  /** Bootstrap processor (sets IA32_APIC_BASE.BSP; an AP starts in wait-for-SIPI). */
  bsp?: boolean;
  /**
   * Reads the CPU's time-stamp counter, which TSC-deadline mode compares against. Without
   * it the APIC keeps its own TSC, moved by `advance` at `tscFrequencyHz`.
   */
  tsc?: TscReader;
  /** TSC rate in Hz (default 1 GHz, the kernel's one retired instruction per ns). */
  tscFrequencyHz?: number;
}

/**
 * What the processor behind this APIC is doing as far as INIT and SIPI are concerned (SDM
 * Vol. 3A §8.4, §10.4.7.3): `wait-for-sipi` after an INIT (and for an AP after reset), until a
 * STARTUP IPI makes it `active` at `startupAddress`.
 */
export type ApicActivity = 'active' | 'wait-for-sipi';

/** The APIC's MSRs in the shape of `MsrHook` of `@legosim/cpu`: `undefined` / `false` mean #GP(0). */
export interface ApicMsrHook {
  read(msr: number): [lo: number, hi: number] | undefined;
  write(msr: number, lo: number, hi: number): boolean;
}

/** `LVR`: version 0x14 (integrated APIC), max LVT entry 6 (CMCI, timer, thermal, perf, LINT0/1, error), no EOI-broadcast suppression. */
const APIC_VERSION = 0x00060014;
const TWO32 = 0x100000000;

/**
 * One CPU's local APIC (SDM Vol. 3A ch. 10), as a register file at the xAPIC offsets with an
 * x2APIC MSR view. It latches interrupts (IRR), tracks the ones being serviced (ISR), applies
 * TPR/PPR priority, runs the APIC timer on simulated time via {@link advance}, sends IPIs
 * through its {@link bus}, and follows INIT/SIPI for the processor it belongs to.
 * Structurally implements `InterruptSource` of `@legosim/cpu`: the CPU polls `hasPending`
 * between instructions when IF = 1 and calls `acknowledge()` to take the vector, and
 * `MmioDevice` of `@legosim/memory` for the xAPIC page.
 *
 * Choices where the SDM leaves room (README "Local APIC"): IPIs and device messages are
 * delivered during the write, so ICR and LVT delivery status always read idle; fixed
 * interrupts are latched even while the APIC is software-disabled (its LVTs are forced masked);
 * SMI and ExtINT messages are dropped (no SMM, no 8259A); a reserved timer mode (11b) counts
 * like one-shot in xAPIC mode and #GPs in x2APIC mode.
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
  /** IA32_APIC_BASE MSR value, low 32 bits (base, EN, EXTD, BSP). Change it with `writeMsr`. */
  baseMsr: number;
  /** Where ICR writes go; set by `ApicBus.attach`. Without one, only self IPIs are delivered. */
  bus: IpiSink | undefined = undefined;

  /** An NMI arrived (IPI, LINT or IO-APIC); the machine clears it when it delivers the NMI. */
  nmiPending = false;
  /** An INIT arrived (the APIC has reset itself; the machine resets the CPU and clears this). */
  initPending = false;
  /** Vector of the STARTUP IPI that started this processor, or -1. */
  startupVector = -1;
  /** INIT/SIPI state of this processor. */
  activity: ApicActivity;

  /** Counters for --stats. */
  accepted = 0;
  eois = 0;
  timerExpirations = 0;
  ipisSent = 0;

  /** The x2APIC MSR view as a `MsrHook` (IA32_APIC_BASE, IA32_TSC_DEADLINE, 0x800..0xbff). */
  readonly msrHook: ApicMsrHook;

  private id: number;
  private baseHigh = 0;
  private tpr = 0;
  private ppr = 0;
  private ldr = 0;
  private dfr = APIC_DFR_FLAT;
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
  private readonly timer: ApicTimer;

  constructor(options: LocalApicOptions = {}) {
    this.id = options.apicId ?? 0;
    this.busFrequencyHz = options.busFrequencyHz ?? 1e9;
    this.baseMsr =
      (APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE | (options.bsp ? MSR_IA32_APICBASE_BSP : 0)) >>> 0;
    this.activity = options.bsp ? 'active' : 'wait-for-sipi';
    this.timer = new ApicTimer(this.busFrequencyHz, options.tscFrequencyHz ?? 1e9, options.tsc);
    this.msrHook = {
      read: (msr) => {
        const lo = this.readMsr(msr);
        return lo < 0 ? undefined : [lo | 0, this.readMsrHigh(msr) | 0];
      },
      write: (msr, lo, hi) => this.writeMsr(msr, lo, hi),
    };
  }

  /** The APIC ID (8 bits in xAPIC mode, the 32-bit x2APIC ID in x2APIC mode). */
  get apicId(): number {
    return this.id;
  }

  /** SPIV bit 8: the APIC is software-enabled. */
  get enabled(): boolean {
    return (this.spiv & APIC_SPIV_APIC_ENABLED) !== 0;
  }

  /** IA32_APIC_BASE EN = 1, EXTD = 0: the registers are the xAPIC MMIO page. */
  get xapicMode(): boolean {
    return (this.baseMsr & (MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_EXTD)) === MSR_IA32_APICBASE_ENABLE;
  }

  /** IA32_APIC_BASE EN = 1, EXTD = 1: the registers are MSRs 0x800.. (SDM §10.12). */
  get x2apicMode(): boolean {
    const both = MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_EXTD;
    return (this.baseMsr & both) === both;
  }

  /** Physical address of the xAPIC page (IA32_APIC_BASE bits 12..45); the machine maps it. */
  get baseAddress(): number {
    return this.baseHigh * TWO32 + ((this.baseMsr & 0xfffff000) >>> 0);
  }

  /** Where a STARTUP IPI started this processor (real mode, CS = vector << 8, IP = 0), or -1. */
  get startupAddress(): number {
    return this.startupVector < 0 ? -1 : this.startupVector * 0x1000;
  }

  /** Reads the 32-bit register at xAPIC `offset` (16-byte aligned). Unimplemented ones set ESR bit 7. */
  readRegister(offset: number): number {
    switch (offset) {
      case APIC_ID:
        return this.x2apicMode ? this.id >>> 0 : (this.id << 24) >>> 0;
      case APIC_LVR:
        return APIC_VERSION;
      case APIC_TASKPRI:
        return this.tpr;
      case APIC_ARBPRI:
        return this.arbitrationPriority;
      case APIC_PROCPRI:
        return this.ppr;
      case APIC_EOI:
      case APIC_RRR:
        return 0;
      case APIC_LDR:
        return this.logicalDestination;
      case APIC_DFR:
        return this.dfr;
      case APIC_SPIV:
        return this.spiv;
      case APIC_ESR:
        return this.esr;
      case APIC_LVTCMCI:
        return this.lvtCmci;
      case APIC_ICR:
        return this.icrLo; // delivery status (bit 12) reads idle: IPIs are delivered during the write
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
        return this.timer.initialCount;
      case APIC_TMCCT:
        return this.timer.currentCount;
      case APIC_TDCR:
        return this.timer.divideConfig;
    }
    if (offset >= APIC_ISR && offset < APIC_IRR + 0x80 && (offset & 0xf) === 0) {
      const word = (offset >>> 4) & 7;
      if (offset < APIC_TMR) return this.isr[word]!;
      if (offset < APIC_IRR) return this.tmr[word]!;
      return this.irr[word]!;
    }
    this.error(APIC_ESR_ILLEGAL_REGISTER);
    return 0;
  }

  /**
   * Writes the 32-bit register at xAPIC `offset`. Reserved bits are dropped and read-only
   * registers ignore writes; an offset with no register sets ESR bit 7 (illegal register).
   */
  writeRegister(offset: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case APIC_ID:
        // The SDM leaves a writable xAPIC ID model specific; it is writable here, read-only in x2APIC mode.
        if (!this.x2apicMode) this.id = value >>> 24;
        return;
      case APIC_TASKPRI:
        this.tpr = value & 0xff;
        this.update();
        return;
      case APIC_EOI:
        this.eoi();
        return;
      case APIC_LDR:
        if (!this.x2apicMode) this.ldr = (value & 0xff000000) >>> 0;
        return;
      case APIC_DFR:
        this.dfr = (value | 0x0fffffff) >>> 0;
        return;
      case APIC_SPIV:
        this.spiv = value & 0x3ff;
        if (!this.enabled) {
          // SDM §10.4.7.2: while software-disabled every LVT stays masked.
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
        // SDM §10.5.3: a write latches the errors seen since the previous write and clears them.
        this.esr = this.esrPending;
        this.esrPending = 0;
        return;
      case APIC_ICR:
        this.icrLo = value & APIC_ICR_WRITABLE;
        this.sendIpi();
        return;
      case APIC_ICR2:
        this.icrDest = value >>> 24;
        return;
      case APIC_LVTT:
        this.lvtTimer = this.lvt(value, APIC_LVT_TIMER_BITS);
        this.timer.writeMode(this.lvtTimer);
        return;
      case APIC_LVTTHMR:
        this.lvtThermal = this.lvt(value, APIC_LVT_DM_BITS);
        return;
      case APIC_LVTPC:
        this.lvtPerf = this.lvt(value, APIC_LVT_DM_BITS);
        return;
      case APIC_LVT0:
        this.lvtLint0 = this.lvt(value, APIC_LVT_LINT_BITS);
        return;
      case APIC_LVT1:
        this.lvtLint1 = this.lvt(value, APIC_LVT_LINT_BITS);
        return;
      case APIC_LVTERR:
        this.lvtError = this.lvt(value, APIC_LVT_ERROR_BITS);
        return;
      case APIC_LVTCMCI:
        this.lvtCmci = this.lvt(value, APIC_LVT_DM_BITS);
        return;
      case APIC_TMICT:
        this.timer.writeInitialCount(value);
        return;
      case APIC_TDCR:
        this.timer.writeDivideConfig(value);
        return;
      case APIC_LVR:
      case APIC_ARBPRI:
      case APIC_PROCPRI:
      case APIC_RRR:
      case APIC_TMCCT:
        return;
    }
    if (offset >= APIC_ISR && offset < APIC_IRR + 0x80 && (offset & 0xf) === 0) return;
    this.error(APIC_ESR_ILLEGAL_REGISTER);
  }

  /**
   * MMIO read of `size` bytes at `offset` in the xAPIC page. The SDM (§10.4.1) only promises
   * aligned 32-bit accesses; this model returns the addressed bytes of the 32-bit register for
   * any width and alignment, and zeros for bytes 4..15 of its 16-byte slot (so the CPU's 64-bit
   * access, two dwords, reads the register and then 0). Reads 0 when the page is not decoded
   * (x2APIC mode or globally disabled: SDM §10.12.2).
   */
  mmioRead(offset: number, size: 1 | 2 | 4): number {
    if (!this.xapicMode) return 0;
    const within = offset & 0xf;
    if (within >= 4) return 0;
    const value = this.readRegister(offset - within) >>> (within * 8);
    return size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
  }

  /**
   * MMIO write: only an aligned dword reaches the register. Narrower or unaligned writes, and
   * the upper dword of a 64-bit store, are dropped, because a partial write to a register
   * whose write has side effects (ICR, EOI, TMICT) has no defined meaning.
   */
  mmioWrite(offset: number, size: 1 | 2 | 4, value: number): void {
    if (this.xapicMode && size === 4 && (offset & 0xf) === 0) this.writeRegister(offset, value);
  }

  /**
   * RDMSR, low 32 bits, or -1 for #GP(0): IA32_APIC_BASE, IA32_TSC_DEADLINE, and in x2APIC
   * mode the registers of Table 10-6 (`x2apicReadable`). Any other MSR is not the APIC's (-1).
   */
  readMsr(msr: number): number {
    if (msr === MSR_IA32_APICBASE) return this.baseMsr >>> 0;
    if (msr === MSR_IA32_TSC_DEADLINE) return this.timer.tscDeadline % TWO32;
    if (!this.x2apicMode || msr < APIC_BASE_MSR || msr > APIC_LAST_MSR) return -1;
    const offset = x2apicOffset(msr);
    if (offset < 0 || !x2apicReadable(offset)) return -1;
    return this.readRegister(offset);
  }

  /** RDMSR high 32 bits (call after a successful `readMsr`): ICR destination, deadline, base high. */
  readMsrHigh(msr: number): number {
    if (msr === MSR_IA32_APICBASE) return this.baseHigh;
    if (msr === MSR_IA32_TSC_DEADLINE) return Math.floor(this.timer.tscDeadline / TWO32);
    return this.x2apicMode && x2apicOffset(msr) === APIC_ICR ? this.icrDest >>> 0 : 0;
  }

  /**
   * WRMSR; false means #GP(0). ICR (0x830) takes the destination in `hi` and sends; SELF IPI
   * (0x83f) raises its vector here. See `x2apicWritableBits` for the #GP rules.
   */
  writeMsr(msr: number, lo: number, hi = 0): boolean {
    lo >>>= 0;
    hi >>>= 0;
    if (msr === MSR_IA32_APICBASE) return this.writeApicBase(lo, hi);
    if (msr === MSR_IA32_TSC_DEADLINE) {
      this.timer.writeTscDeadline(hi * TWO32 + lo);
      this.advance(0); // a deadline already passed fires now
      return true;
    }
    if (!this.x2apicMode || msr < APIC_BASE_MSR || msr > APIC_LAST_MSR) return false;
    const offset = x2apicOffset(msr);
    const bits = offset < 0 ? -1 : x2apicWritableBits(offset);
    if (bits < 0 || (lo & ~bits) !== 0) return false;
    if (offset === APIC_ICR) {
      this.icrDest = hi;
      this.icrLo = lo;
      this.sendIpi();
      return true;
    }
    if (hi !== 0) return false;
    if (offset === APIC_LVTT && (lo & APIC_LVT_TIMER_MODE) === APIC_LVT_TIMER_MODE) return false;
    if (offset === APIC_SELF_IPI) this.raise(lo);
    else this.writeRegister(offset, lo);
    return true;
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
   * Accepts an interrupt message addressed to this APIC (an IPI, an IO-APIC redirection or a
   * LINT pin), by delivery mode (SDM §10.6.1): fixed and lowest-priority latch the vector; NMI
   * sets `nmiPending`; INIT resets the APIC and parks the processor in wait-for-SIPI; STARTUP
   * starts a waiting processor at vector × 0x1000 and is ignored otherwise (so the second
   * SIPI of the MP start-up sequence does nothing). SMI and ExtINT are dropped.
   */
  accept(deliveryMode: number, vector: number, levelTriggered = false): void {
    switch (deliveryMode) {
      case APIC_DM_FIXED:
      case APIC_DM_LOWEST:
        this.raise(vector, levelTriggered);
        return;
      case APIC_DM_NMI:
        this.nmiPending = true;
        return;
      case APIC_DM_INIT:
        this.init();
        return;
      case APIC_DM_STARTUP:
        if (this.activity === 'wait-for-sipi') {
          this.activity = 'active';
          this.startupVector = vector & 0xff;
        }
        return;
    }
  }

  /**
   * An edge on the LINT0 or LINT1 pin, delivered as its LVT entry says (fixed, NMI, INIT).
   * ExtINT would need the 8259A the model lacks; remote IRR of level LINTs is not modeled.
   */
  signalLint(pin: 0 | 1): void {
    const lvt = pin === 0 ? this.lvtLint0 : this.lvtLint1;
    const mode = lvt & APIC_DM_MASK;
    if ((lvt & APIC_LVT_MASKED) !== 0 || mode === APIC_DM_EXTINT) return;
    this.accept(mode, lvt & 0xff);
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

  /**
   * EOI (SDM §10.8.5): clears the highest in-service vector; if it was level-triggered (TMR
   * bit set) the EOI is broadcast to the IO-APICs through the bus.
   */
  eoi(): void {
    const v = highest(this.isr);
    if (v >= 0) {
      const w = v >>> 5;
      const bit = 1 << (v & 31);
      this.isr[w]! &= ~bit;
      this.eois++;
      this.update();
      if ((this.tmr[w]! & bit) !== 0) this.bus?.broadcastEoi?.(v);
      return;
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

  /** PPR (SDM §10.8.3.1). */
  get processorPriority(): number {
    return this.ppr;
  }

  /**
   * APR (SDM §10.6.2.4), used to pick the target of a lowest-priority message: TPR when its
   * class is at least IRRV's and above ISRV's, else the highest of the three classes.
   */
  get arbitrationPriority(): number {
    const tprClass = this.tpr & 0xf0;
    const irrClass = Math.max(highest(this.irr), 0) & 0xf0;
    const isrClass = Math.max(highest(this.isr), 0) & 0xf0;
    if (tprClass >= irrClass && tprClass > isrClass) return this.tpr;
    return Math.max(tprClass, irrClass, isrClass);
  }

  /** LDR: written in xAPIC mode; in x2APIC mode derived from the ID (cluster ID[19:4], bit 1 << ID[3:0]). */
  get logicalDestination(): number {
    if (!this.x2apicMode) return this.ldr;
    return (((this.id >>> 4) << 16) | (1 << (this.id & 0xf))) >>> 0;
  }

  /**
   * Advances the timer by `ns` nanoseconds of simulated time (and the APIC's own TSC when no
   * `tsc` was given). Each expiration raises the LVT timer vector unless masked; several in one
   * call latch one IRR bit. Returns the expirations.
   */
  advance(ns: number): number {
    const fired = this.timer.advance(ns);
    if (fired === 0) return 0;
    this.timerExpirations += fired;
    if ((this.lvtTimer & APIC_LVT_MASKED) === 0) this.raise(this.lvtTimer & 0xff);
    return fired;
  }

  /** Nanoseconds until the timer next raises its vector, or Infinity (stopped, disarmed or masked). */
  nextEventIn(): number {
    if ((this.lvtTimer & APIC_LVT_MASKED) !== 0) return Infinity;
    return this.timer.nextEventIn();
  }

  /** The timer's current divisor (1..128). */
  get timerDivisor(): number {
    return timerDivisor(this.timer.divideConfig);
  }

  /** The TSC value TSC-deadline mode compares against. */
  get tsc(): number {
    return this.timer.tsc;
  }

  /** Logical destination match (SDM §10.6.2.2): flat or cluster model from DFR; x2APIC cluster. */
  matchesLogical(destination: number): boolean {
    if (this.x2apicMode) {
      const ldr = this.logicalDestination;
      return destination >>> 16 === ldr >>> 16 && (destination & ldr & 0xffff) !== 0;
    }
    const ldr = this.ldr >>> 24;
    const mda = destination & 0xff;
    if (this.dfr >>> 28 === 0xf) return (ldr & mda) !== 0;
    return mda >>> 4 === ldr >>> 4 && (mda & ldr & 0xf) !== 0;
  }

  /** INIT (SDM §10.4.7.3): every register to its power-up state except the ID; wait for SIPI. */
  private init(): void {
    this.resetRegisters();
    this.activity = 'wait-for-sipi';
    this.initPending = true;
    this.startupVector = -1;
  }

  /** Power-up register state (SDM §10.4.7.1); IA32_APIC_BASE and the ID are kept. */
  private resetRegisters(): void {
    this.irr.fill(0);
    this.isr.fill(0);
    this.tmr.fill(0);
    this.tpr = 0;
    this.ldr = 0;
    this.dfr = APIC_DFR_FLAT;
    this.spiv = 0xff;
    this.esr = 0;
    this.esrPending = 0;
    this.icrLo = 0;
    this.icrDest = 0;
    this.lvtTimer = APIC_LVT_MASKED;
    this.lvtThermal = APIC_LVT_MASKED;
    this.lvtPerf = APIC_LVT_MASKED;
    this.lvtLint0 = APIC_LVT_MASKED;
    this.lvtLint1 = APIC_LVT_MASKED;
    this.lvtError = APIC_LVT_MASKED;
    this.lvtCmci = APIC_LVT_MASKED;
    this.timer.reset();
    this.update();
  }

  /** WRMSR IA32_APIC_BASE: `apicBaseWriteAllowed` decides; clearing EN resets the registers. BSP is read-only. */
  private writeApicBase(lo: number, hi: number): boolean {
    if (!apicBaseWriteAllowed(this.baseMsr, lo, hi)) return false;
    const wasEnabled = (this.baseMsr & MSR_IA32_APICBASE_ENABLE) !== 0;
    this.baseMsr = ((lo & ~MSR_IA32_APICBASE_BSP) | (this.baseMsr & MSR_IA32_APICBASE_BSP)) >>> 0;
    this.baseHigh = hi;
    if (wasEnabled && (lo & MSR_IA32_APICBASE_ENABLE) === 0) this.resetRegisters();
    return true;
  }

  private lvt(value: number, bits: number): number {
    let v = value & bits;
    if (!this.enabled) v |= APIC_LVT_MASKED;
    return v >>> 0;
  }

  /** Records an error for the next ESR write and raises the error LVT (SDM §10.5.3). */
  private error(bits: number): void {
    this.esrPending |= bits;
    const vector = this.lvtError & 0xff;
    if ((this.lvtError & APIC_LVT_MASKED) === 0 && vector >= 16) this.raise(vector);
  }

  private sendIpi(): void {
    const vector = this.icrLo & 0xff;
    const mode = this.icrLo & APIC_DM_MASK;
    if ((mode === APIC_DM_FIXED || mode === APIC_DM_LOWEST) && vector < 16) {
      this.error(APIC_ESR_SEND_ILLEGAL_VECTOR);
      return;
    }
    this.ipisSent++;
    if (this.bus !== undefined) {
      this.bus.sendIpi(this, this.icrLo, this.icrDest);
      return;
    }
    const shorthand = this.icrLo & APIC_SHORTHAND_MASK;
    if (shorthand === APIC_DEST_SELF || shorthand === APIC_DEST_ALLINC) this.accept(mode, vector);
  }

  /** Recomputes PPR (SDM §10.8.3.1) and `hasPending` (§10.8.4). */
  private update(): void {
    const isrv = highest(this.isr);
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0;
    this.ppr = (this.tpr & 0xf0) >= isrClass ? this.tpr : isrClass;
    const irrv = highest(this.irr);
    this.hasPending = irrv >= 0 && (irrv & 0xf0) > (this.ppr & 0xf0);
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
