import { describe, expect, test } from 'vitest';
import {
  APIC_EOI,
  APIC_LVT_MASKED,
  APIC_LVT_TIMER_PERIODIC,
  APIC_LVT_TIMER_TSCDEADLINE,
  APIC_LVTT,
  APIC_SPIV,
  APIC_TDCR,
  APIC_TMCCT,
  APIC_TMICT,
  configureLegoTimer,
  LOCAL_TIMER_VECTOR,
  MSR_IA32_TSC_DEADLINE,
  timerDivideConfig,
  timerDivisor,
} from '../src/index.js';
import { enabledApic } from './helpers.js';

describe('APIC timer count-down (SDM Vol. 3A §10.5.4, Figure 10-10)', () => {
  const divides: [number, number][] = [
    [0b0000, 2],
    [0b0001, 4],
    [0b0010, 8],
    [0b0011, 16],
    [0b1000, 32],
    [0b1001, 64],
    [0b1010, 128],
    [0b1011, 1],
  ];

  test.each(divides)('TDCR %i counts down once every %i bus ticks', (tdcr, divisor) => {
    expect(timerDivisor(tdcr)).toBe(divisor);
    expect(timerDivisor(tdcr | 0b0100)).toBe(divisor); // bit 2 is reserved
    expect(timerDivideConfig(divisor)).toBe(tdcr);
    const apic = enabledApic({ busFrequencyHz: 1e9 }); // 1 tick per ns
    apic.writeRegister(APIC_TDCR, tdcr);
    expect(apic.readRegister(APIC_TDCR)).toBe(tdcr);
    apic.writeRegister(APIC_LVTT, 0x40);
    apic.writeRegister(APIC_TMICT, 1000);
    expect(apic.readRegister(APIC_TMCCT)).toBe(1000);
    apic.advance(divisor * 10 - 1);
    expect(apic.readRegister(APIC_TMCCT)).toBe(991);
    apic.advance(1);
    expect(apic.readRegister(APIC_TMCCT)).toBe(990);
    expect(apic.nextEventIn()).toBe(990 * divisor);
    apic.advance(990 * divisor - 1);
    expect(apic.hasPending).toBe(false);
    apic.advance(1);
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x40);
  });

  test('TDCR keeps bits 0, 1 and 3 only', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TDCR, 0xffff_ffff);
    expect(apic.readRegister(APIC_TDCR)).toBe(0xb);
    expect(apic.timerDivisor).toBe(1);
  });

  test('one-shot mode stops at zero and stays there', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TDCR, 0b1011);
    apic.writeRegister(APIC_LVTT, 0x41);
    apic.writeRegister(APIC_TMICT, 100);
    expect(apic.advance(250)).toBe(1);
    expect(apic.readRegister(APIC_TMCCT)).toBe(0);
    expect(apic.readRegister(APIC_TMICT)).toBe(100);
    expect(apic.nextEventIn()).toBe(Infinity);
    expect(apic.acknowledge()).toBe(0x41);
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.advance(1000)).toBe(0);
    expect(apic.hasPending).toBe(false);
    apic.writeRegister(APIC_TMICT, 5); // a new initial count re-arms it
    expect(apic.advance(5)).toBe(1);
  });

  test('periodic mode reloads the initial count', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TDCR, 0b1011);
    apic.writeRegister(APIC_LVTT, 0x42 | APIC_LVT_TIMER_PERIODIC);
    apic.writeRegister(APIC_TMICT, 100);
    expect(apic.advance(100)).toBe(1);
    expect(apic.readRegister(APIC_TMCCT)).toBe(100);
    expect(apic.nextEventIn()).toBe(100);
    expect(apic.advance(30)).toBe(0);
    expect(apic.readRegister(APIC_TMCCT)).toBe(70);
    expect(apic.advance(370)).toBe(4); // 70 + 3 * 100 = 370
    expect(apic.readRegister(APIC_TMCCT)).toBe(100);
    expect(apic.timerExpirations).toBe(5);
    expect(apic.acknowledge()).toBe(0x42);
    expect(apic.acknowledge()).toBe(-1); // expirations coalesce into one IRR bit
  });

  test('a masked timer counts and reloads but raises nothing', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TDCR, 0b1011);
    apic.writeRegister(APIC_LVTT, 0x43 | APIC_LVT_TIMER_PERIODIC | APIC_LVT_MASKED);
    apic.writeRegister(APIC_TMICT, 100);
    expect(apic.nextEventIn()).toBe(Infinity);
    expect(apic.advance(150)).toBe(1);
    expect(apic.readRegister(APIC_TMCCT)).toBe(50);
    expect(apic.hasPending).toBe(false);
    apic.writeRegister(APIC_LVTT, 0x43 | APIC_LVT_TIMER_PERIODIC); // same mode: keeps counting
    expect(apic.nextEventIn()).toBe(50);
  });

  test('writing 0 to the initial count stops the timer', () => {
    const apic = enabledApic();
    configureLegoTimer(apic);
    apic.writeRegister(APIC_TMICT, 0);
    expect(apic.nextEventIn()).toBe(Infinity);
    expect(apic.advance(1e9)).toBe(0);
  });

  test('a write to LVTT that changes the timer mode disarms the timer (SDM §10.5.4.1)', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TDCR, 0b1011);
    apic.writeRegister(APIC_LVTT, 0x45);
    apic.writeRegister(APIC_TMICT, 100);
    apic.writeRegister(APIC_LVTT, 0x45 | APIC_LVT_TIMER_PERIODIC);
    expect(apic.readRegister(APIC_TMCCT)).toBe(0);
    expect(apic.readRegister(APIC_TMICT)).toBe(0);
    expect(apic.nextEventIn()).toBe(Infinity);
    expect(apic.advance(1000)).toBe(0);
  });

  test('a software-disabled APIC keeps its timer LVT masked', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_LVTT, 0x44 | APIC_LVT_TIMER_PERIODIC);
    apic.writeRegister(APIC_SPIV, 0xff); // software-disable
    apic.writeRegister(APIC_TMICT, 10);
    apic.advance(100);
    expect(apic.hasPending).toBe(false);
  });

  test("Lego's timer: vector 0xef, periodic, divide 16, 100 Hz of simulated time", () => {
    const apic = enabledApic({ busFrequencyHz: 1e9 });
    expect(configureLegoTimer(apic, 100)).toBe(625000);
    expect(apic.readRegister(APIC_LVTT)).toBe(0xef | APIC_LVT_TIMER_PERIODIC);
    expect(apic.timerDivisor).toBe(16);
    expect(apic.nextEventIn()).toBe(10_000_000);
    apic.advance(10_000_000);
    expect(apic.acknowledge()).toBe(LOCAL_TIMER_VECTOR);
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.nextEventIn()).toBe(10_000_000);
    expect(apic.advance(1_000_000_000 - 10_000_000)).toBe(99);
  });

  test('a 100 MHz bus clock scales the count rate', () => {
    const apic = enabledApic({ busFrequencyHz: 100e6 });
    expect(configureLegoTimer(apic, 100)).toBe(62500);
    expect(apic.nextEventIn()).toBeCloseTo(10_000_000, 3);
  });
});

describe('TSC-deadline mode (SDM §10.5.4.1)', () => {
  function deadlineApic(tsc: { now: number }) {
    const apic = enabledApic({ tsc: () => tsc.now, tscFrequencyHz: 2e9 });
    apic.writeRegister(APIC_LVTT, 0x50 | APIC_LVT_TIMER_TSCDEADLINE);
    return apic;
  }

  test('fires when the TSC reaches the deadline, then disarms and clears IA32_TSC_DEADLINE', () => {
    const tsc = { now: 1000 };
    const apic = deadlineApic(tsc);
    expect(apic.writeMsr(MSR_IA32_TSC_DEADLINE, 5000, 0)).toBe(true);
    expect(apic.readMsr(MSR_IA32_TSC_DEADLINE)).toBe(5000);
    expect(apic.nextEventIn()).toBe(2000); // 4000 TSC ticks at 2 GHz
    tsc.now = 4999;
    expect(apic.advance(1)).toBe(0);
    expect(apic.hasPending).toBe(false);
    tsc.now = 5000;
    expect(apic.advance(1)).toBe(1);
    expect(apic.acknowledge()).toBe(0x50);
    expect(apic.readMsr(MSR_IA32_TSC_DEADLINE)).toBe(0);
    expect(apic.nextEventIn()).toBe(Infinity);
    tsc.now = 1e6;
    expect(apic.advance(1)).toBe(0); // one interrupt per write
  });

  test('writing 0 disarms; a new value moves the deadline either way', () => {
    const tsc = { now: 0 };
    const apic = deadlineApic(tsc);
    apic.writeMsr(MSR_IA32_TSC_DEADLINE, 100, 0);
    apic.writeMsr(MSR_IA32_TSC_DEADLINE, 0, 0);
    tsc.now = 200;
    expect(apic.advance(1)).toBe(0);
    apic.writeMsr(MSR_IA32_TSC_DEADLINE, 900, 0);
    apic.writeMsr(MSR_IA32_TSC_DEADLINE, 300, 0);
    tsc.now = 300;
    expect(apic.advance(1)).toBe(1);
  });

  test('a deadline already passed fires at the write', () => {
    const tsc = { now: 10_000 };
    const apic = deadlineApic(tsc);
    apic.writeMsr(MSR_IA32_TSC_DEADLINE, 42, 0);
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x50);
  });

  test('the 64-bit deadline takes its high dword from EDX', () => {
    const tsc = { now: 0 };
    const apic = deadlineApic(tsc);
    apic.writeMsr(MSR_IA32_TSC_DEADLINE, 7, 2);
    expect(apic.readMsr(MSR_IA32_TSC_DEADLINE)).toBe(7);
    expect(apic.readMsrHigh(MSR_IA32_TSC_DEADLINE)).toBe(2);
    tsc.now = 2 * 2 ** 32 + 6;
    expect(apic.advance(1)).toBe(0);
    tsc.now += 1;
    expect(apic.advance(1)).toBe(1);
  });

  test('TMICT writes are ignored and TMCCT reads 0 in TSC-deadline mode', () => {
    const apic = deadlineApic({ now: 0 });
    apic.writeRegister(APIC_TMICT, 100);
    expect(apic.readRegister(APIC_TMICT)).toBe(0);
    expect(apic.readRegister(APIC_TMCCT)).toBe(0);
    expect(apic.advance(1000)).toBe(0);
  });

  test('outside TSC-deadline mode IA32_TSC_DEADLINE ignores writes and reads 0', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_LVTT, 0x50);
    expect(apic.writeMsr(MSR_IA32_TSC_DEADLINE, 10, 0)).toBe(true);
    expect(apic.readMsr(MSR_IA32_TSC_DEADLINE)).toBe(0);
    expect(apic.advance(100)).toBe(0);
  });

  test('leaving TSC-deadline mode disarms it, and so does entering it', () => {
    const tsc = { now: 0 };
    const apic = deadlineApic(tsc);
    apic.writeMsr(MSR_IA32_TSC_DEADLINE, 100, 0);
    apic.writeRegister(APIC_LVTT, 0x50 | APIC_LVT_TIMER_PERIODIC);
    apic.writeRegister(APIC_LVTT, 0x50 | APIC_LVT_TIMER_TSCDEADLINE);
    expect(apic.readMsr(MSR_IA32_TSC_DEADLINE)).toBe(0);
    tsc.now = 1000;
    expect(apic.advance(1)).toBe(0);
    // one-shot count running, then switch to deadline: the count is gone
    apic.writeRegister(APIC_LVTT, 0x50);
    apic.writeRegister(APIC_TMICT, 10);
    apic.writeRegister(APIC_LVTT, 0x50 | APIC_LVT_TIMER_TSCDEADLINE);
    apic.writeRegister(APIC_LVTT, 0x50);
    expect(apic.readRegister(APIC_TMCCT)).toBe(0);
  });

  test('a masked deadline still disarms at expiry but raises nothing', () => {
    const tsc = { now: 0 };
    const apic = deadlineApic(tsc);
    apic.writeRegister(APIC_LVTT, 0x50 | APIC_LVT_TIMER_TSCDEADLINE | APIC_LVT_MASKED);
    apic.writeMsr(MSR_IA32_TSC_DEADLINE, 10, 0);
    tsc.now = 10;
    expect(apic.advance(1)).toBe(1);
    expect(apic.hasPending).toBe(false);
    expect(apic.readMsr(MSR_IA32_TSC_DEADLINE)).toBe(0);
  });

  test('without a TSC reader the APIC keeps its own TSC on simulated time', () => {
    const apic = enabledApic(); // TSC at 1 GHz: one tick per ns
    apic.writeRegister(APIC_LVTT, 0x51 | APIC_LVT_TIMER_TSCDEADLINE);
    apic.advance(500);
    expect(apic.tsc).toBe(500);
    apic.writeMsr(MSR_IA32_TSC_DEADLINE, 800, 0);
    expect(apic.nextEventIn()).toBe(300);
    expect(apic.advance(299)).toBe(0);
    expect(apic.advance(1)).toBe(1);
    expect(apic.acknowledge()).toBe(0x51);
  });
});
