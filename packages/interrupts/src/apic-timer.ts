import { APIC_LVT_TIMER_PERIODIC, APIC_LVTT, APIC_TDCR, APIC_TMICT } from './apic-registers.js';
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
