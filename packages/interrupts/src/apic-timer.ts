import {
  APIC_LVT_TIMER_MODE,
  APIC_LVT_TIMER_PERIODIC,
  APIC_LVT_TIMER_TSCDEADLINE,
  APIC_LVTT,
  APIC_TDCR,
  APIC_TMICT,
} from './apic-registers.js';
import { LOCAL_TIMER_VECTOR } from './vectors.js';

/**
 * The divisor selected by a Divide Configuration Register value (SDM Vol. 3A Figure 10-10:
 * bits 3,1,0): 0b0000 ÷2, 0b0001 ÷4, 0b0010 ÷8, 0b0011 ÷16, 0b1000 ÷32, 0b1001 ÷64,
 * 0b1010 ÷128, 0b1011 ÷1.
 */
export function timerDivisor(tdcr: number): number {
  const v = ((tdcr >>> 1) & 4) | (tdcr & 3);
  return v === 7 ? 1 : 2 << v;
}

/** The TDCR value for a divisor (1, 2, 4, ..., 128). */
export function timerDivideConfig(divisor: number): number {
  for (let tdcr = 0; tdcr < 16; tdcr++) {
    if ((tdcr & 4) === 0 && timerDivisor(tdcr) === divisor) return tdcr;
  }
  throw new RangeError(`no APIC timer divide configuration for ${divisor}`);
}

/** Lego's `APIC_DIVISOR`. */
export const APIC_DIVISOR = 16;

/** The registers {@link configureLegoTimer} writes. */
export interface TimerRegisters {
  readonly busFrequencyHz: number;
  writeRegister(offset: number, value: number): void;
}

/**
 * Programs Lego's local timer (`setup_APIC_timer`): divide by 16, LVTT = vector 0xef |
 * periodic, and TMICT = bus clock / 16 / HZ, so it fires `hz` times per simulated second.
 * Returns the initial count.
 */
export function configureLegoTimer(apic: TimerRegisters, hz = 100): number {
  const count = Math.round(apic.busFrequencyHz / APIC_DIVISOR / hz);
  apic.writeRegister(APIC_TDCR, timerDivideConfig(APIC_DIVISOR));
  apic.writeRegister(APIC_LVTT, LOCAL_TIMER_VECTOR | APIC_LVT_TIMER_PERIODIC);
  apic.writeRegister(APIC_TMICT, count);
  return count;
}

/** Reads the time-stamp counter the TSC-deadline mode compares against. */
export type TscReader = () => number;

/**
 * The local APIC timer (SDM Vol. 3A §10.5.4) on simulated time: a 32-bit down-counter fed by
 * the bus clock through the divider, in one-shot, periodic or TSC-deadline mode (LVT timer
 * bits 18:17). It only counts; {@link LocalApic} raises the LVT vector for each expiration.
 * `advance` and `nextEventIn` run once per instruction batch, so they use plain numbers only.
 */
export class ApicTimer {
  /** Timer input clock (Hz) before the divider. */
  readonly busFrequencyHz: number;
  /** TSC rate (Hz), to turn a TSC deadline into nanoseconds. */
  readonly tscFrequencyHz: number;
  /** LVT timer bits 18:17 (`APIC_LVT_TIMER_*`). */
  private mode = 0;
  private tdcr = 0;
  private initial = 0;
  private current = 0;
  /** Nanoseconds per count at the current divider. */
  private countNs: number;
  /** Nanoseconds elapsed toward the next count. */
  private residualNs = 0;
  /** Armed IA32_TSC_DEADLINE value, 0 when disarmed. */
  private deadline = 0;
  /** The caller's TSC, or undefined: then {@link ownTsc} runs at `tscFrequencyHz` with `advance`. */
  private readonly readTsc: TscReader | undefined;
  private ownTsc = 0;

  constructor(busFrequencyHz: number, tscFrequencyHz: number, readTsc: TscReader | undefined) {
    this.busFrequencyHz = busFrequencyHz;
    this.tscFrequencyHz = tscFrequencyHz;
    this.readTsc = readTsc;
    this.countNs = (timerDivisor(0) * 1e9) / busFrequencyHz;
  }

  /** The current TSC value. */
  get tsc(): number {
    return this.readTsc === undefined ? this.ownTsc : this.readTsc();
  }

  /** Power-up state (SDM §10.4.7.1): counts and divide configuration 0, one-shot, disarmed. */
  reset(): void {
    this.mode = 0;
    this.initial = 0;
    this.current = 0;
    this.residualNs = 0;
    this.deadline = 0;
    this.writeDivideConfig(0);
  }

  /**
   * Takes the LVT timer mode bits. A write that changes the mode disarms the timer (SDM
   * §10.5.4.1): the counts and the deadline drop to 0, so software re-arms in the new mode.
   */
  writeMode(lvtTimer: number): void {
    const mode = lvtTimer & APIC_LVT_TIMER_MODE;
    if (mode === this.mode) return;
    this.mode = mode;
    this.initial = 0;
    this.current = 0;
    this.residualNs = 0;
    this.deadline = 0;
  }

  get inDeadlineMode(): boolean {
    return this.mode === APIC_LVT_TIMER_TSCDEADLINE;
  }

  /** TDCR (bits 0, 1, 3; the rest reserved). */
  get divideConfig(): number {
    return this.tdcr;
  }

  writeDivideConfig(value: number): void {
    this.tdcr = value & 0xb;
    this.countNs = (timerDivisor(this.tdcr) * 1e9) / this.busFrequencyHz;
  }

  /** TMICT (reads 0 in TSC-deadline mode, where writes are ignored). */
  get initialCount(): number {
    return this.mode === APIC_LVT_TIMER_TSCDEADLINE ? 0 : this.initial;
  }

  /** Writing TMICT (re)starts the count from `value`; 0 stops the timer (SDM §10.5.4). */
  writeInitialCount(value: number): void {
    if (this.mode === APIC_LVT_TIMER_TSCDEADLINE) return;
    this.initial = value >>> 0;
    this.current = this.initial;
    this.residualNs = 0;
  }

  /** TMCCT (always 0 in TSC-deadline mode). */
  get currentCount(): number {
    return this.mode === APIC_LVT_TIMER_TSCDEADLINE ? 0 : this.current;
  }

  /** IA32_TSC_DEADLINE: the armed deadline, 0 when disarmed or not in TSC-deadline mode. */
  get tscDeadline(): number {
    return this.mode === APIC_LVT_TIMER_TSCDEADLINE ? this.deadline : 0;
  }

  /**
   * WRMSR IA32_TSC_DEADLINE: a non-zero value arms (or moves) the deadline, 0 disarms. Outside
   * TSC-deadline mode the write is ignored (SDM §10.5.4.1). A deadline already reached fires
   * at the next {@link advance}, even `advance(0)`.
   */
  writeTscDeadline(value: number): void {
    if (this.mode === APIC_LVT_TIMER_TSCDEADLINE) this.deadline = value;
  }

  /**
   * Moves simulated time forward by `ns` and returns how many times the timer expired: at most
   * one in one-shot and TSC-deadline mode (which then disarm), any number in periodic mode
   * (the count reloads from TMICT each time).
   */
  advance(ns: number): number {
    if (this.readTsc === undefined && ns > 0) this.ownTsc += (ns * this.tscFrequencyHz) / 1e9;
    if (this.mode === APIC_LVT_TIMER_TSCDEADLINE) {
      if (this.deadline === 0 || this.tsc < this.deadline) return 0;
      this.deadline = 0;
      return 1;
    }
    if (this.current === 0 || ns <= 0) return 0;
    const total = this.residualNs + ns;
    const counts = Math.floor(total / this.countNs);
    this.residualNs = total - counts * this.countNs;
    if (counts < this.current) {
      this.current -= counts;
      return 0;
    }
    const rest = counts - this.current;
    if (this.mode === APIC_LVT_TIMER_PERIODIC && this.initial > 0) {
      this.current = this.initial - (rest % this.initial);
      return 1 + Math.floor(rest / this.initial);
    }
    this.current = 0;
    this.residualNs = 0;
    return 1;
  }

  /** Nanoseconds until the next expiration, or Infinity when stopped or disarmed. */
  nextEventIn(): number {
    if (this.mode === APIC_LVT_TIMER_TSCDEADLINE) {
      if (this.deadline === 0) return Infinity;
      const ticks = this.deadline - this.tsc;
      return ticks <= 0 ? 0 : (ticks * 1e9) / this.tscFrequencyHz;
    }
    if (this.current === 0) return Infinity;
    return this.current * this.countNs - this.residualNs;
  }
}
