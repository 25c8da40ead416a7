import { describe, expect, test } from 'vitest';
import {
  APIC_ARBPRI,
  APIC_EOI,
  APIC_ESR,
  APIC_IRR,
  APIC_ISR,
  APIC_LVT_MASKED,
  APIC_LVT0,
  APIC_LVTERR,
  APIC_LVTT,
  APIC_PROCPRI,
  APIC_SPIV,
  APIC_TASKPRI,
  APIC_TMR,
  LocalApic,
} from '../src/index.js';
import { enabledApic } from './helpers.js';

describe('priority selection (SDM Vol. 3A §10.8.3, §10.8.4)', () => {
  test('the highest vector is taken first, whatever the order of arrival', () => {
    const apic = enabledApic();
    apic.raise(0x31);
    apic.raise(0x81);
    apic.raise(0x40);
    apic.raise(0x8f);
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x8f);
    expect(apic.readRegister(APIC_ISR + 0x40)).toBe(0x8000); // vector 0x8f: ISR word 4, bit 15
    expect(apic.readRegister(APIC_IRR + 0x40)).toBe(1 << 1); // 0x81 still requested
  });

  test('within one class the higher vector wins; a lower class waits for the higher class to retire', () => {
    const apic = enabledApic();
    apic.raise(0x52);
    apic.raise(0x5e);
    apic.raise(0x61);
    expect(apic.acknowledge()).toBe(0x61);
    expect(apic.acknowledge()).toBe(-1); // 0x5e's class 5 is below in-service class 6
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.acknowledge()).toBe(0x5e);
    expect(apic.acknowledge()).toBe(-1); // 0x52 shares class 5 with 0x5e in service
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.acknowledge()).toBe(0x52);
  });

  test('a vector in the class being serviced waits for its EOI; a higher class nests', () => {
    const apic = enabledApic();
    apic.raise(0x85);
    expect(apic.acknowledge()).toBe(0x85);
    apic.raise(0x8f);
    expect(apic.readRegister(APIC_PROCPRI)).toBe(0x80);
    expect(apic.hasPending).toBe(false);
    expect(apic.acknowledge()).toBe(-1);
    apic.raise(0x90);
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x90);
    apic.writeRegister(APIC_EOI, 0);
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x8f);
  });

  test('IRR, ISR and TMR are 256-bit bitmaps at 0x200.., 0x100.., 0x180..; TMR marks level vectors', () => {
    const apic = enabledApic();
    apic.raise(0xff);
    apic.raise(0x20);
    apic.raise(0x41, true);
    expect(apic.readRegister(APIC_IRR + 0x70)).toBe(0x80000000);
    expect(apic.readRegister(APIC_IRR + 0x10)).toBe(1);
    expect(apic.readRegister(APIC_TMR + 0x20)).toBe(1 << 1);
    expect(apic.highestRequested()).toBe(0xff);
  });
});

describe('TPR masking and PPR (SDM §10.8.3.1)', () => {
  test('TPR masks vectors whose class is not above its class', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TASKPRI, 0x50);
    apic.raise(0x5f);
    expect(apic.hasPending).toBe(false);
    expect(apic.acknowledge()).toBe(-1);
    apic.raise(0x60);
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x60);
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.hasPending).toBe(false);
    apic.writeRegister(APIC_TASKPRI, 0x4f); // sub-class bits do not mask
    expect(apic.hasPending).toBe(true);
    expect(apic.acknowledge()).toBe(0x5f);
  });

  test.each([
    // [TPR, in-service vector or -1, expected PPR]
    [0x00, -1, 0x00],
    [0x23, -1, 0x23],
    [0x23, 0x47, 0x40], // ISRV class above TPR class: PPR = ISRV[7:4], PPR[3:0] = 0
    [0x4a, 0x47, 0x4a], // equal classes: PPR = TPR including its low bits
    [0x5a, 0x47, 0x5a],
    [0x30, 0xef, 0xe0],
  ])('TPR %#x with ISRV %#x gives PPR %#x', (tpr, isrv, ppr) => {
    const apic = enabledApic();
    if (isrv >= 0) {
      apic.raise(isrv);
      expect(apic.acknowledge()).toBe(isrv);
    }
    apic.writeRegister(APIC_TASKPRI, tpr);
    expect(apic.readRegister(APIC_TASKPRI)).toBe(tpr);
    expect(apic.readRegister(APIC_PROCPRI)).toBe(ppr);
  });

  test('TPR keeps only bits 7:0', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TASKPRI, 0xffff_ff35);
    expect(apic.readRegister(APIC_TASKPRI)).toBe(0x35);
  });

  test.each([
    // [TPR, in-service or -1, requested or -1, APR] — SDM §10.6.2.4
    [0x30, -1, -1, 0x30],
    [0x30, -1, 0x51, 0x50], // IRRV class above TPR
    [0x30, 0x34, -1, 0x30], // TPR class = ISRV class: not above it, so the max class
    [0x42, 0x34, 0x21, 0x42], // TPR class >= IRRV and > ISRV: APR = TPR
    [0x10, 0x74, 0x61, 0x70],
  ])('APR with TPR %#x, ISRV %#x, IRRV %#x is %#x', (tpr, isrv, irrv, apr) => {
    const apic = enabledApic();
    if (isrv >= 0) {
      apic.raise(isrv);
      apic.acknowledge();
    }
    apic.writeRegister(APIC_TASKPRI, tpr);
    if (irrv >= 0) apic.raise(irrv);
    expect(apic.readRegister(APIC_ARBPRI)).toBe(apr);
  });
});

describe('EOI (SDM §10.8.5)', () => {
  test('EOI retires the highest in-service vector, whatever was accepted first', () => {
    const apic = enabledApic();
    apic.raise(0x30);
    expect(apic.acknowledge()).toBe(0x30);
    apic.raise(0xef);
    expect(apic.acknowledge()).toBe(0xef);
    expect(apic.highestInService()).toBe(0xef);
    apic.writeRegister(APIC_EOI, 0x1234); // the value written is ignored in xAPIC mode
    expect(apic.highestInService()).toBe(0x30);
    expect(apic.readRegister(APIC_PROCPRI)).toBe(0x30);
    apic.writeRegister(APIC_EOI, 0);
    expect(apic.highestInService()).toBe(-1);
    expect(apic.readRegister(APIC_PROCPRI)).toBe(0);
    expect(apic.eois).toBe(2);
    apic.writeRegister(APIC_EOI, 0); // nothing in service: no effect
    expect(apic.eois).toBe(2);
  });

  test('EOI of a level-triggered vector is broadcast to the IO-APICs; of an edge one it is not', () => {
    const apic = enabledApic();
    const seen: number[] = [];
    apic.bus = { sendIpi: () => {}, broadcastEoi: (v) => seen.push(v) };
    apic.raise(0x41, true);
    apic.raise(0x51);
    expect(apic.acknowledge()).toBe(0x51);
    apic.eoi();
    expect(seen).toEqual([]);
    expect(apic.acknowledge()).toBe(0x41);
    apic.eoi();
    expect(seen).toEqual([0x41]);
  });
});

describe('errors and spurious-interrupt register (SDM §10.5.3, §10.9, §10.4.7.2)', () => {
  test('ESR shows errors only after a write, which also clears them', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_LVTERR, 0xfe);
    apic.raise(3); // receive illegal vector
    expect(apic.readRegister(APIC_ESR)).toBe(0);
    expect(apic.highestRequested()).toBe(0xfe); // the error LVT fired; vector 3 was not latched
    apic.writeRegister(APIC_ESR, 0);
    expect(apic.readRegister(APIC_ESR)).toBe(0x40);
    apic.readRegister(0x40); // no register at 0x40: illegal register address
    expect(apic.readRegister(APIC_ESR)).toBe(0x40); // still the latched value
    apic.writeRegister(APIC_ESR, 0xffff); // the value written does not matter
    expect(apic.readRegister(APIC_ESR)).toBe(0x80);
    apic.writeRegister(APIC_ESR, 0);
    expect(apic.readRegister(APIC_ESR)).toBe(0);
  });

  test('writes to unimplemented offsets set illegal register address; read-only registers just ignore writes', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_PROCPRI, 0xff);
    apic.writeRegister(APIC_ESR, 0);
    expect(apic.readRegister(APIC_ESR)).toBe(0);
    apic.writeRegister(0x3f0, 0x40); // SELF IPI exists only in x2APIC mode
    apic.writeRegister(APIC_ESR, 0);
    expect(apic.readRegister(APIC_ESR)).toBe(0x80);
    expect(apic.highestRequested()).toBe(-1);
  });

  test('SPIV: reset value 0xff (software-disabled); bits 9:0 writable', () => {
    const apic = new LocalApic();
    expect(apic.readRegister(APIC_SPIV)).toBe(0xff);
    expect(apic.enabled).toBe(false);
    apic.writeRegister(APIC_SPIV, 0xffff_f3ef);
    expect(apic.readRegister(APIC_SPIV)).toBe(0x3ef);
    expect(apic.enabled).toBe(true);
  });

  test('software-disabling masks every LVT, and they cannot be unmasked until it is enabled again', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_LVTT, 0x44 | 0x20000);
    apic.writeRegister(APIC_LVT0, 0x700);
    expect(apic.readRegister(APIC_LVTT)).toBe(0x44 | 0x20000);
    apic.writeRegister(APIC_SPIV, 0xff);
    expect(apic.readRegister(APIC_LVTT)).toBe(0x44 | 0x20000 | APIC_LVT_MASKED);
    expect(apic.readRegister(APIC_LVT0)).toBe(0x700 | APIC_LVT_MASKED);
    apic.writeRegister(APIC_LVTT, 0x44 | 0x20000);
    expect(apic.readRegister(APIC_LVTT) & APIC_LVT_MASKED).toBe(APIC_LVT_MASKED);
    apic.writeRegister(APIC_SPIV, 0x1ff);
    expect(apic.readRegister(APIC_LVTT) & APIC_LVT_MASKED).toBe(APIC_LVT_MASKED); // stays masked until rewritten
    apic.writeRegister(APIC_LVTT, 0x44 | 0x20000);
    expect(apic.readRegister(APIC_LVTT)).toBe(0x44 | 0x20000);
  });
});
