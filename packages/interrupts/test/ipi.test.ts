import { describe, expect, test } from 'vitest';
import {
  APIC_DEST_ALLBUT,
  APIC_DEST_ALLINC,
  APIC_DEST_LOGICAL,
  APIC_DEST_SELF,
  APIC_DFR,
  APIC_DFR_CLUSTER,
  APIC_DM_INIT,
  APIC_DM_LOWEST,
  APIC_DM_NMI,
  APIC_DM_STARTUP,
  APIC_ESR,
  APIC_ICR,
  APIC_ICR2,
  APIC_INT_ASSERT,
  APIC_INT_LEVELTRIG,
  APIC_LDR,
  APIC_LVT0,
  APIC_LVT1,
  APIC_LVTT,
  APIC_SPIV,
  APIC_TASKPRI,
  APIC_TMICT,
  type LocalApic,
  LocalApic as LocalApicClass,
  RESCHEDULE_VECTOR,
} from '../src/index.js';
import { machine } from './helpers.js';

/** Sends `icr` to `destination` from `from` the way Linux does in xAPIC mode: ICR2, then ICR. */
function send(from: LocalApic, icr: number, destination = 0): void {
  from.writeRegister(APIC_ICR2, destination << 24);
  from.writeRegister(APIC_ICR, icr);
}

/** Which APICs have `vector` in IRR. */
function requested(apics: LocalApic[], vector: number): boolean[] {
  return apics.map((a) => (a.irr[vector >>> 5]! & (1 << (vector & 31))) !== 0);
}

describe('IPI destinations (SDM Vol. 3A §10.6.2)', () => {
  test('physical destination: the APIC with that ID, and no other', () => {
    const { bus, apics } = machine(3);
    const seen: number[] = [];
    bus.onIpi = (from, to, vector) => seen.push(from.apicId, to.apicId, vector);
    send(apics[0]!, RESCHEDULE_VECTOR, 2);
    expect(requested(apics, RESCHEDULE_VECTOR)).toEqual([false, false, true]);
    expect(seen).toEqual([0, 2, RESCHEDULE_VECTOR]);
    expect(apics[0]!.ipisSent).toBe(1);
  });

  test('physical destination 0xff is a broadcast', () => {
    const { apics } = machine(3);
    send(apics[1]!, 0x61, 0xff);
    expect(requested(apics, 0x61)).toEqual([true, true, true]);
  });

  test('logical flat model: every APIC whose LDR shares a bit with the destination', () => {
    const { apics } = machine(4);
    for (const [i, a] of apics.entries()) a.writeRegister(APIC_LDR, (1 << i) << 24);
    send(apics[0]!, 0x62 | APIC_DEST_LOGICAL, 0b1010);
    expect(requested(apics, 0x62)).toEqual([false, true, false, true]);
    send(apics[0]!, 0x63 | APIC_DEST_LOGICAL, 0);
    expect(requested(apics, 0x63)).toEqual([false, false, false, false]);
  });

  test('logical cluster model: same cluster (bits 7:4) and a shared member bit (3:0)', () => {
    const { apics } = machine(4);
    const ldrs = [0x11, 0x12, 0x21, 0x22];
    apics.forEach((a, i) => {
      a.writeRegister(APIC_DFR, APIC_DFR_CLUSTER);
      a.writeRegister(APIC_LDR, ldrs[i]! << 24);
    });
    expect(apics[0]!.readRegister(APIC_DFR)).toBe(0x0fffffff);
    send(apics[0]!, 0x64 | APIC_DEST_LOGICAL, 0x23);
    expect(requested(apics, 0x64)).toEqual([false, false, true, true]);
    send(apics[0]!, 0x65 | APIC_DEST_LOGICAL, 0x12);
    expect(requested(apics, 0x65)).toEqual([false, true, false, false]);
    send(apics[0]!, 0x66 | APIC_DEST_LOGICAL, 0xff); // all ones: broadcast
    expect(requested(apics, 0x66)).toEqual([true, true, true, true]);
  });

  test('lowest priority goes to the one target with the lowest arbitration priority', () => {
    const { apics } = machine(3);
    for (const a of apics) a.writeRegister(APIC_LDR, 0x01000000);
    apics[0]!.writeRegister(APIC_TASKPRI, 0x40);
    apics[1]!.writeRegister(APIC_TASKPRI, 0x20);
    apics[2]!.writeRegister(APIC_TASKPRI, 0x30);
    send(apics[0]!, 0x71 | APIC_DM_LOWEST | APIC_DEST_LOGICAL, 0x01);
    expect(requested(apics, 0x71)).toEqual([false, true, false]);
  });
});

describe('IPI shorthands (SDM §10.6.1, ICR bits 19:18)', () => {
  test.each([
    ['no shorthand (destination field)', 0, [false, true, false]],
    ['self', APIC_DEST_SELF, [true, false, false]],
    ['all including self', APIC_DEST_ALLINC, [true, true, true]],
    ['all excluding self', APIC_DEST_ALLBUT, [false, true, true]],
  ] as const)('%s', (_name, shorthand, targets) => {
    const { apics } = machine(3);
    send(apics[0]!, 0xfc | shorthand, 1); // the destination field is ignored with a shorthand
    expect(requested(apics, 0xfc)).toEqual(targets);
  });

  test('without a bus, self and all-including-self still reach the sender', () => {
    const apic = new LocalApicClass();
    apic.writeRegister(APIC_SPIV, 0x1ff);
    apic.writeRegister(APIC_ICR, 0x77 | APIC_DEST_SELF);
    expect(apic.acknowledge()).toBe(0x77);
    apic.writeRegister(APIC_ICR, 0x78 | APIC_DEST_ALLINC);
    expect(apic.highestRequested()).toBe(0x78);
  });
});

describe('ICR (SDM §10.6.1, Figure 10-12)', () => {
  test('delivery status reads idle once the write returns; the ICR keeps what was written', () => {
    const { apics } = machine(2);
    send(apics[0]!, 0xfb | APIC_INT_ASSERT, 1);
    expect(apics[0]!.readRegister(APIC_ICR)).toBe(0xfb | APIC_INT_ASSERT);
    expect(apics[0]!.readRegister(APIC_ICR) & 0x1000).toBe(0);
    expect(apics[0]!.readRegister(APIC_ICR2)).toBe(0x01000000);
    apics[0]!.writeRegister(APIC_ICR, 0xffff_ffff & ~0x700); // reserved bits dropped
    expect(apics[0]!.readRegister(APIC_ICR)).toBe(0x000cc8ff);
  });

  test('a fixed IPI with a vector below 16 is not sent: Send Illegal Vector', () => {
    const { apics } = machine(2);
    send(apics[0]!, 0x05, 1);
    expect(apics[1]!.highestRequested()).toBe(-1);
    apics[0]!.writeRegister(APIC_ESR, 0);
    expect(apics[0]!.readRegister(APIC_ESR)).toBe(0x20);
    expect(apics[0]!.ipisSent).toBe(0);
  });

  test('NMI sets the target NMI line and ignores the vector', () => {
    const { apics } = machine(3);
    send(apics[0]!, APIC_DM_NMI | APIC_INT_ASSERT, 2);
    expect(apics.map((a) => a.nmiPending)).toEqual([false, false, true]);
    expect(apics[2]!.highestRequested()).toBe(-1);
  });
});

describe('INIT and STARTUP (SDM §8.4.4, §10.4.7.3)', () => {
  test('an AP starts in wait-for-SIPI; INIT-SIPI-SIPI starts it once at vector × 0x1000', () => {
    const { apics } = machine(2);
    const [bsp, ap] = apics as [LocalApic, LocalApic];
    expect(bsp.activity).toBe('active');
    expect(ap.activity).toBe('wait-for-sipi');
    ap.writeRegister(APIC_TASKPRI, 0x20);
    ap.writeRegister(APIC_LVTT, 0x30);
    ap.writeRegister(APIC_TMICT, 100);
    ap.raise(0x99);
    // Linux's wakeup_secondary_cpu_via_init: INIT assert, INIT de-assert, STARTUP twice
    send(bsp, APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT, 1);
    expect(ap.initPending).toBe(true);
    expect(ap.activity).toBe('wait-for-sipi');
    // INIT reset: registers back to power-up state, ID kept
    expect(ap.readRegister(APIC_TASKPRI)).toBe(0);
    expect(ap.readRegister(APIC_SPIV)).toBe(0xff);
    expect(ap.readRegister(APIC_LVTT)).toBe(0x10000);
    expect(ap.readRegister(APIC_TMICT)).toBe(0);
    expect(ap.highestRequested()).toBe(-1);
    expect(ap.apicId).toBe(1);
    send(bsp, APIC_DM_INIT | APIC_INT_LEVELTRIG, 1); // de-assert: no effect
    ap.initPending = false;
    send(bsp, APIC_DM_STARTUP | 0x9a, 1);
    expect(ap.activity).toBe('active');
    expect(ap.startupVector).toBe(0x9a);
    expect(ap.startupAddress).toBe(0x9a000);
    send(bsp, APIC_DM_STARTUP | 0x10, 1); // the second SIPI finds it running: ignored
    expect(ap.startupAddress).toBe(0x9a000);
    expect(ap.initPending).toBe(false);
    expect(bsp.startupVector).toBe(-1);
  });

  test('INIT to all-excluding-self parks every other processor', () => {
    const { apics } = machine(3);
    apics[1]!.accept(APIC_DM_STARTUP, 0x20);
    apics[2]!.accept(APIC_DM_STARTUP, 0x20);
    send(apics[0]!, APIC_DM_INIT | APIC_INT_ASSERT | APIC_DEST_ALLBUT);
    expect(apics.map((a) => a.activity)).toEqual(['active', 'wait-for-sipi', 'wait-for-sipi']);
    send(apics[0]!, APIC_DM_STARTUP | 0x08 | APIC_DEST_ALLBUT);
    expect(apics.map((a) => a.startupAddress)).toEqual([-1, 0x8000, 0x8000]);
  });
});

describe('LINT0/LINT1 (SDM §10.5.1)', () => {
  test('a LINT edge is delivered as its LVT entry says; masked or ExtINT pins do nothing', () => {
    const { apics } = machine(1);
    const apic = apics[0]!;
    apic.signalLint(0); // masked after reset
    expect(apic.highestRequested()).toBe(-1);
    apic.writeRegister(APIC_LVT0, 0x700); // ExtINT: needs an 8259A
    apic.signalLint(0);
    expect(apic.highestRequested()).toBe(-1);
    apic.writeRegister(APIC_LVT0, 0x4000 | 0x8000 | 0x31); // fixed, active low, level
    expect(apic.readRegister(APIC_LVT0)).toBe(0xc031);
    apic.signalLint(0);
    expect(apic.highestRequested()).toBe(0x31);
    apic.writeRegister(APIC_LVT1, APIC_DM_NMI);
    apic.signalLint(1);
    expect(apic.nmiPending).toBe(true);
  });
});
