import { expect, test } from 'vitest';
import { Mmu, type MmioDevice, Pte } from '../src/index.js';
import { machine } from './helpers.js';

function recorder(): MmioDevice & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    mmioRead(offset, size) {
      log.push(`r${size}@${offset.toString(16)}`);
      return 0x14 + offset;
    },
    mmioWrite(offset, size, value) {
      log.push(`w${size}@${offset.toString(16)}=${value.toString(16)}`);
    },
  };
}

test('a per-CPU MMIO window sends every access through paging to that CPU’s device', () => {
  const { mem, pt, cr3, mmu } = machine();
  const va = -0x1000000; // a fixmap-like kernel address
  pt.map(cr3, va, 0xfee00000, Pte.RW | Pte.PCD);
  const apic0 = recorder();
  mmu.mapMmio(0xfee00000, 0x1000, apic0);
  const other = new Mmu(mem);
  const apic1 = recorder();
  other.mapMmio(0xfee00000, 0x1000, apic1);
  other.loadCr3(cr3);
  other.setMode(mmu.getMode());

  expect(mmu.read32(va + 0x30)).toBe(0x44);
  expect(mmu.write32(va + 0xb0, 0)).toBe(true);
  expect(mmu.write32(va + 0xb0, 0)).toBe(true); // not served from the TLB
  expect(other.read8(va + 0x20)).toBe(0x34);
  expect(apic0.log).toEqual(['r4@30', 'w4@b0=0', 'w4@b0=0']);
  expect(apic1.log).toEqual(['r1@20']);
  expect(mem.residentFrames).toBeLessThan(10); // nothing was written to RAM at 0xfee00000
  expect(mem.read32(0xfee000b0)).toBe(0xffffffff); // plain memory there is unpopulated
});

test('a mode change that recomputes the TLB rights leaves MMIO pages going to the device', () => {
  const { cr3, pt, mmu } = machine();
  const va = -0x1000000;
  pt.map(cr3, va, 0xfee00000, Pte.RW | Pte.PCD);
  const apic = recorder();
  mmu.mapMmio(0xfee00000, 0x1000, apic);
  expect(mmu.read32(va + 0x30)).toBe(0x44);
  // CR4.SMAP on, then off: each recomputes every entry's rights from its walk
  mmu.setMode({ ...mmu.getMode(), smap: true });
  mmu.setMode({ ...mmu.getMode(), smap: false });
  expect(mmu.read32(va + 0x30)).toBe(0x44);
  expect(mmu.write32(va + 0xb0, 0)).toBe(true);
  expect(apic.log).toEqual(['r4@30', 'r4@30', 'w4@b0=0']);
});
