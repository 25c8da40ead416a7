import { describe, expect, test } from 'vitest';
import type { MmioDevice } from '../../memory/src/mmu.js';
import {
  APIC_DEFAULT_PHYS_BASE,
  APIC_EOI,
  APIC_ESR,
  APIC_ICR,
  APIC_ICR2,
  APIC_ID,
  APIC_LVR,
  APIC_MMIO_SIZE,
  APIC_TASKPRI,
  APIC_TMICT,
  LocalApic,
} from '../src/index.js';
import { enabledApic, machine, toX2apic } from './helpers.js';

/**
 * The CPU performs a 64-bit access as two 32-bit ones at `offset` and `offset + 4`
 * (`Cpu.read64`/`write64` through the MMU); these helpers do the same to the device.
 */
function read64(dev: MmioDevice, offset: number): number {
  return dev.mmioRead(offset, 4) + dev.mmioRead(offset + 4, 4) * 2 ** 32;
}
function write64(dev: MmioDevice, offset: number, lo: number, hi: number): void {
  dev.mmioWrite(offset, 4, lo);
  dev.mmioWrite(offset + 4, 4, hi);
}

describe('xAPIC MMIO widths (SDM Vol. 3A §10.4.1; narrower widths are model specific)', () => {
  test('LocalApic is an MmioDevice for the page at 0xfee00000', () => {
    const dev: MmioDevice = new LocalApic();
    expect(APIC_DEFAULT_PHYS_BASE).toBe(0xfee00000);
    expect(APIC_MMIO_SIZE).toBe(4096);
    expect(new LocalApic().baseAddress).toBe(0xfee00000);
    expect(dev.mmioRead(APIC_LVR, 4)).toBe(0x00060014);
  });

  test('an aligned dword reads and writes the register', () => {
    const apic = enabledApic({ apicId: 5 });
    expect(apic.mmioRead(APIC_ID, 4)).toBe(0x05000000);
    apic.mmioWrite(APIC_TASKPRI, 4, 0x37);
    expect(apic.readRegister(APIC_TASKPRI)).toBe(0x37);
  });

  test('1- and 2-byte reads return the addressed bytes of the 32-bit register', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TMICT, 0x12345678);
    expect(apic.mmioRead(APIC_TMICT, 1)).toBe(0x78);
    expect(apic.mmioRead(APIC_TMICT + 1, 1)).toBe(0x56);
    expect(apic.mmioRead(APIC_TMICT + 3, 1)).toBe(0x12);
    expect(apic.mmioRead(APIC_TMICT, 2)).toBe(0x5678);
    expect(apic.mmioRead(APIC_TMICT + 2, 2)).toBe(0x1234);
  });

  test('unaligned reads get the register bytes they cover and zeros beyond byte 3', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TMICT, 0x12345678);
    expect(apic.mmioRead(APIC_TMICT + 1, 4)).toBe(0x00123456);
    expect(apic.mmioRead(APIC_TMICT + 3, 2)).toBe(0x0012);
    expect(apic.mmioRead(APIC_TMICT + 4, 4)).toBe(0);
    expect(apic.mmioRead(APIC_TMICT + 0xc, 1)).toBe(0);
  });

  test('narrow and unaligned writes are dropped (no partial ICR, EOI or TMICT side effects)', () => {
    const { apics } = machine(2);
    const apic = apics[0]!;
    apic.writeRegister(APIC_TMICT, 0x12345678);
    apic.mmioWrite(APIC_TMICT, 1, 0xff);
    apic.mmioWrite(APIC_TMICT, 2, 0xffff);
    apic.mmioWrite(APIC_TMICT + 1, 4, 0);
    apic.mmioWrite(APIC_TMICT + 4, 4, 0);
    expect(apic.readRegister(APIC_TMICT)).toBe(0x12345678);
    apic.mmioWrite(APIC_ICR2, 4, 1 << 24);
    apic.mmioWrite(APIC_ICR, 1, 0x61); // would send an IPI if taken
    expect(apics[1]!.highestRequested()).toBe(-1);
    apic.raise(0x70);
    apic.acknowledge();
    apic.mmioWrite(APIC_EOI, 2, 0);
    expect(apic.highestInService()).toBe(0x70);
    apic.mmioWrite(APIC_EOI, 4, 0);
    expect(apic.highestInService()).toBe(-1);
  });

  test('a 64-bit access is the register and then zeros; the upper dword of a store is dropped', () => {
    const { apics } = machine(2);
    const apic = apics[0]!;
    apic.writeRegister(APIC_TMICT, 0x89abcdef);
    expect(read64(apic, APIC_TMICT)).toBe(0x89abcdef);
    write64(apic, APIC_ICR2, 1 << 24, 0xffffffff);
    write64(apic, APIC_ICR, 0x62, 0xffffffff);
    expect(apics[1]!.highestRequested()).toBe(0x62);
    expect(apic.readRegister(APIC_ICR2)).toBe(0x01000000);
  });

  test('an access to an unimplemented register sets ESR bit 7, whatever its width', () => {
    const apic = enabledApic();
    expect(apic.mmioRead(0x10, 1)).toBe(0);
    apic.writeRegister(APIC_ESR, 0);
    expect(apic.readRegister(APIC_ESR)).toBe(0x80);
    apic.mmioWrite(0x400, 4, 1);
    apic.writeRegister(APIC_ESR, 0);
    expect(apic.readRegister(APIC_ESR)).toBe(0x80);
  });

  test('in x2APIC mode (and when globally disabled) the page is not decoded', () => {
    const apic = toX2apic(enabledApic());
    apic.mmioWrite(APIC_TASKPRI, 4, 0x40);
    expect(apic.mmioRead(APIC_LVR, 4)).toBe(0);
    expect(apic.readRegister(APIC_TASKPRI)).toBe(0);
  });
});
