import { describe, expect, test } from 'vitest';
import {
  APIC_EOI,
  APIC_ESR,
  APIC_ICR,
  APIC_ICR2,
  APIC_ID,
  APIC_IRR,
  APIC_ISR,
  APIC_LDR,
  APIC_LVT_MASKED,
  APIC_LVTERR,
  APIC_LVTT,
  APIC_PROCPRI,
  APIC_SPIV,
  APIC_TASKPRI,
  APIC_TDCR,
  APIC_TMCCT,
  APIC_TMICT,
  ApicBus,
  configureLegoTimer,
  LocalApic,
  LOCAL_TIMER_VECTOR,
  RESCHEDULE_VECTOR,
  timerDivisor,
  x2apicMsr,
} from '../src/index.js';

function enabledApic(options: ConstructorParameters<typeof LocalApic>[0] = {}): LocalApic {
  const apic = new LocalApic(options);
  apic.writeRegister(APIC_SPIV, 0x1ff);
  return apic;
}

describe('priority', () => {
  test('the highest vector is taken first, whatever the order of arrival', () => {
    const apic = enabledApic();
    apic.raise(0x31);
    apic.raise(0x81);
    apic.raise(0x40);
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x81);
    expect(apic.readRegister(APIC_ISR + 0x40)).toBe(1 << 1); // vector 0x81: ISR word 4, bit 1
    expect(apic.readRegister(APIC_IRR + 0x40)).toBe(0);
  });

  test('a vector in the same priority class as the one in service waits for its EOI', () => {
    const apic = enabledApic();
    apic.raise(0x85);
    expect(apic.acknowledge()).toBe(0x85);
    apic.raise(0x8f);
    expect(apic.readRegister(APIC_PROCPRI)).toBe(0x80);
    expect(apic.hasPending).toBe(false);
    expect(apic.acknowledge()).toBe(-1);
    apic.raise(0x90); // a higher class nests
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x90);
    apic.writeRegister(APIC_EOI, 0);
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x8f);
  });

  test('TPR masks vectors whose class is not above it', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TASKPRI, 0x50);
    apic.raise(0x5f);
    expect(apic.hasPending).toBe(false);
    expect(apic.readRegister(APIC_PROCPRI)).toBe(0x50);
    apic.raise(0x60);
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x60);
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.hasPending).toBe(false);
    apic.writeRegister(APIC_TASKPRI, 0x4f);
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x5f);
  });

  test('PPR is TPR when TPR class >= ISR class, else the ISR class (SDM 10.8.3.1)', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TASKPRI, 0x23);
    expect(apic.readRegister(APIC_PROCPRI)).toBe(0x23);
    apic.raise(0x47);
    apic.acknowledge();
    expect(apic.readRegister(APIC_PROCPRI)).toBe(0x40);
    apic.writeRegister(APIC_TASKPRI, 0x4a);
    expect(apic.readRegister(APIC_PROCPRI)).toBe(0x4a);
  });

  test('EOI retires the highest in-service vector', () => {
    const apic = enabledApic();
    apic.raise(0x30);
    expect(apic.acknowledge()).toBe(0x30);
    apic.raise(0xef);
    expect(apic.acknowledge()).toBe(0xef);
    expect(apic.highestInService()).toBe(0xef);
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.highestInService()).toBe(0x30);
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.highestInService()).toBe(-1);
    expect(apic.eois).toBe(2);
  });

  test('a vector below 16 is illegal: nothing is latched, ESR records it after a write', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_LVTERR, 0xfe);
    apic.raise(3);
    expect(apic.readRegister(APIC_ESR)).toBe(0);
    apic.writeRegister(APIC_ESR, 0);
    expect(apic.readRegister(APIC_ESR)).toBe(0x40);
    expect(apic.acknowledge()).toBe(0xfe); // the error LVT fired
  });

  test('IRR and ISR are 256-bit bitmaps at 0x200.. and 0x100..', () => {
    const apic = enabledApic();
    apic.raise(0xff);
    apic.raise(0x20);
    expect(apic.readRegister(APIC_IRR + 0x70)).toBe(0x80000000);
    expect(apic.readRegister(APIC_IRR + 0x10)).toBe(1);
    expect(apic.highestRequested()).toBe(0xff);
  });
});

describe('timer', () => {
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
    const apic = enabledApic({ busFrequencyHz: 1e9 }); // 1 tick per ns
    apic.writeRegister(APIC_TDCR, tdcr);
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

  test('one-shot mode stops at zero', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TDCR, 0b1011);
    apic.writeRegister(APIC_LVTT, 0x41);
    apic.writeRegister(APIC_TMICT, 100);
    expect(apic.advance(250)).toBe(1);
    expect(apic.readRegister(APIC_TMCCT)).toBe(0);
    expect(apic.nextEventIn()).toBe(Infinity);
    apic.acknowledge();
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.advance(1000)).toBe(0);
    expect(apic.hasPending).toBe(false);
  });

  test('periodic mode reloads the initial count', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TDCR, 0b1011);
    apic.writeRegister(APIC_LVTT, 0x42 | 0x20000);
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
    apic.writeRegister(APIC_LVTT, 0x43 | 0x20000 | APIC_LVT_MASKED);
    apic.writeRegister(APIC_TMICT, 100);
    expect(apic.nextEventIn()).toBe(Infinity);
    expect(apic.advance(150)).toBe(1);
    expect(apic.readRegister(APIC_TMCCT)).toBe(50);
    expect(apic.hasPending).toBe(false);
    apic.writeRegister(APIC_LVTT, 0x43 | 0x20000);
    expect(apic.nextEventIn()).toBe(50);
  });

  test('writing 0 to the initial count stops the timer', () => {
    const apic = enabledApic();
    configureLegoTimer(apic);
    apic.writeRegister(APIC_TMICT, 0);
    expect(apic.nextEventIn()).toBe(Infinity);
    expect(apic.advance(1e9)).toBe(0);
  });

  test('a software-disabled APIC keeps its LVTs masked', () => {
    const apic = new LocalApic();
    apic.writeRegister(APIC_LVTT, 0x44 | 0x20000);
    expect(apic.readRegister(APIC_LVTT)).toBe(0x44 | 0x20000 | APIC_LVT_MASKED);
    apic.writeRegister(APIC_TMICT, 10);
    apic.advance(100);
    expect(apic.hasPending).toBe(false);
  });

  test("Lego's timer: vector 0xef, periodic, divide 16, 100 Hz of simulated time", () => {
    const apic = enabledApic({ busFrequencyHz: 1e9 });
    expect(configureLegoTimer(apic, 100)).toBe(625000);
    expect(apic.readRegister(APIC_LVTT)).toBe(0xef | 0x20000);
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

describe('x2APIC MSR view and IPIs', () => {
  test('MSR 0x800 + offset >> 4 reaches the same registers', () => {
    const apic = enabledApic({ apicId: 3 });
    expect(x2apicMsr(APIC_EOI)).toBe(0x80b);
    expect(apic.readMsr(0x802)).toBe(3);
    expect(apic.readRegister(APIC_ID)).toBe(0x03000000);
    apic.writeMsr(0x808, 0x20);
    expect(apic.readRegister(APIC_TASKPRI)).toBe(0x20);
    apic.raise(0x55);
    expect(apic.acknowledge()).toBe(0x55);
    apic.writeMsr(0x80b, 0);
    expect(apic.highestInService()).toBe(-1);
  });

  test('an IPI written to ICR2/ICR reaches the destination APIC', () => {
    const bus = new ApicBus();
    const cpu0 = enabledApic({ apicId: 0 });
    const cpu1 = enabledApic({ apicId: 1 });
    bus.attach(cpu0);
    bus.attach(cpu1);
    const seen: number[] = [];
    bus.onIpi = (_from, to, vector) => seen.push(to.apicId, vector);
    cpu0.writeRegister(APIC_ICR2, 1 << 24);
    cpu0.writeRegister(APIC_ICR, RESCHEDULE_VECTOR);
    expect(cpu1.hasPending).toBe(true);
    expect(cpu0.hasPending).toBe(false);
    expect(cpu1.acknowledge()).toBe(RESCHEDULE_VECTOR);
    expect(seen).toEqual([1, RESCHEDULE_VECTOR]);
    expect(cpu0.readRegister(APIC_ICR) & 0x1000).toBe(0); // delivery status idle
  });

  test('shorthands and logical flat destinations', () => {
    const bus = new ApicBus();
    const apics = [0, 1, 2].map((id) => enabledApic({ apicId: id }));
    for (const a of apics) bus.attach(a);
    apics[0]!.writeRegister(APIC_ICR, 0xfc | 0xc0000); // all but self
    expect(apics.map((a) => a.hasPending)).toEqual([false, true, true]);
    apics[2]!.writeMsr(0x830, 0xfb | 0x40000); // self via x2APIC ICR
    expect(apics[2]!.highestRequested()).toBe(0xfc);
    expect(apics[2]!.acknowledge()).toBe(0xfc);
    expect(apics[2]!.acknowledge()).toBe(-1); // 0xfb is in the same class as 0xfc in service
    apics[1]!.writeRegister(APIC_LDR, 0x02000000);
    apics[0]!.writeRegister(APIC_ICR2, 0x02000000);
    apics[0]!.writeRegister(APIC_ICR, 0x61 | 0x800);
    expect(apics[1]!.highestRequested()).toBe(0xfc);
    expect(apics[1]!.readRegister(APIC_IRR + 0x30)).toBe(1 << 1);
  });

  test('without a bus, a self IPI still arrives', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_ICR, 0x77 | 0x40000);
    expect(apic.acknowledge()).toBe(0x77);
  });
});
