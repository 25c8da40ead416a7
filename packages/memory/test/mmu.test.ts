import { describe, expect, test } from 'vitest';
import { canonical, Mmu, PAGE_OFFSET, PfError, Pte, PteHi, START_KERNEL_MAP } from '../src/index.js';
import { machine } from './helpers.js';

const U = Pte.US;
const W = Pte.RW;
const USER = { cpl: 3, writeProtect: true, noExecute: true, smep: false, smap: false };
const KERNEL = { ...USER, cpl: 0 };

describe('TLB', () => {
  test('the second access to a page hits the TLB without walking', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.map(cr3, 0x1000, mem.allocFrame(), W);
    mmu.write32(0x1000, 42);
    const walks = mmu.pageWalks;
    const hits = mmu.tlbHits;
    expect(mmu.read32(0x1000)).toBe(42);
    expect(mmu.read8(0x1ff0)).toBe(0);
    expect(mmu.pageWalks).toBe(walks);
    expect(mmu.tlbHits).toBe(hits + 2);
  });

  test.each([
    ['write8', (mmu: Mmu, la: number) => mmu.write8(la, 0x5a)],
    ['write16', (mmu: Mmu, la: number) => mmu.write16(la, 0x5a5a)],
  ] as const)(
    '%s that gives a frame its storage points the TLB entry at it (the direct path)',
    (_name, write) => {
      const { mem, pt, cr3, mmu } = machine();
      pt.map(cr3, 0x7000, mem.allocFrame(), W);
      // the first write walks (it sets the dirty bit) and fills the entry before the frame
      // has storage: the write itself gives it some
      expect(write(mmu, 0x7000)).toBe(true);
      const i = 7 & mmu.tlb.mask;
      expect(mmu.tlb.words[i]).toBeNull();
      const walks = mmu.pageWalks;
      expect(write(mmu, 0x7010)).toBe(true);
      expect(mmu.pageWalks).toBe(walks); // a TLB hit
      expect(mmu.tlb.words[i]).not.toBeNull();
      expect(mmu.tlb.words[i]![4]! & 0xff).toBe(0x5a); // the same storage the write went to
    },
  );

  test('a changed PTE is not seen until INVLPG drops the stale entry', () => {
    const { mem, pt, cr3, mmu } = machine();
    const a = mem.allocFrame();
    const b = mem.allocFrame();
    mem.write32(a, 0xaaaa);
    mem.write32(b, 0xbbbb);
    pt.map(cr3, 0x5000, a, W);
    expect(mmu.read32(0x5000)).toBe(0xaaaa);
    pt.map(cr3, 0x5000, b, W);
    expect(mmu.read32(0x5000)).toBe(0xaaaa); // stale, as on hardware
    mmu.invlpg(0x5abc);
    expect(mmu.read32(0x5000)).toBe(0xbbbb);
  });

  test('loading CR3 flushes non-global entries and keeps global ones', () => {
    const { mem, pt, cr3, mmu } = machine();
    const a = mem.allocFrame();
    const b = mem.allocFrame();
    mem.write32(a, 1);
    mem.write32(b, 2);
    pt.map(cr3, 0x5000, a, W);
    pt.map(cr3, 0x6000, a, W | Pte.G);
    mmu.read32(0x5000);
    mmu.read32(0x6000);
    pt.map(cr3, 0x5000, b, W);
    pt.map(cr3, 0x6000, b, W | Pte.G);
    const flushes = mmu.flushes;
    mmu.loadCr3(cr3);
    expect(mmu.flushes).toBe(flushes + 1);
    expect(mmu.read32(0x5000)).toBe(2);
    expect(mmu.read32(0x6000)).toBe(1); // global entry survived
    mmu.invlpg(0x6000);
    expect(mmu.read32(0x6000)).toBe(2);
  });

  test('every flush is reported to onTlbFlush (for the trace)', () => {
    const { cr3, mmu } = machine();
    const seen: string[] = [];
    mmu.onTlbFlush = (kind, la) => seen.push(`${kind}:${la.toString(16)}`);
    mmu.loadCr3(cr3);
    mmu.invlpg(0x401234);
    mmu.flushAll();
    expect(seen).toEqual(['cr3:0', 'invlpg:401234', 'all:0']);
  });

  test('flushAll drops global entries too', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.map(cr3, 0x6000, mem.allocFrame(), W | Pte.G);
    mmu.read32(0x6000);
    mmu.flushAll();
    expect(mmu.tlb.validEntries).toBe(0);
  });

  test('switching address spaces translates through the new tables', () => {
    const { mem, pt, cr3, mmu } = machine();
    const other = pt.createRoot();
    const a = mem.allocFrame();
    const b = mem.allocFrame();
    mem.write8(a, 0x11);
    mem.write8(b, 0x22);
    pt.map(cr3, 0x400000, a, U);
    pt.map(other, 0x400000, b, U);
    mmu.setMode(USER);
    expect(mmu.read8(0x400000)).toBe(0x11);
    mmu.loadCr3(other);
    expect(mmu.read8(0x400000)).toBe(0x22);
  });

  test('an entry filled in kernel mode does not grant user access to a supervisor page', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.map(cr3, 0x7000, mem.allocFrame(), W);
    expect(mmu.read8(0x7000)).toBe(0);
    mmu.setMode(USER);
    expect(mmu.read8(0x7000)).toBe(-1);
    expect(mmu.faultErrorCode).toBe(PfError.P | PfError.U);
    mmu.setMode(KERNEL);
    expect(mmu.read8(0x7000)).toBe(0);
  });

  test('a page cached by a read walks again on the first write to set D; later writes hit', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.map(cr3, 0x8000, mem.allocFrame(), W);
    mmu.read8(0x8000);
    const walks = mmu.pageWalks;
    mmu.write8(0x8000, 1);
    expect(mmu.pageWalks).toBe(walks + 1);
    mmu.write8(0x8001, 1);
    expect(mmu.pageWalks).toBe(walks + 1);
  });

  test('a stale writable entry is dropped by INVLPG after mprotect to read-only', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.map(cr3, 0x400000, mem.allocFrame(), U | W);
    mmu.setMode(USER);
    expect(mmu.write8(0x400000, 1)).toBe(true);
    pt.protect(cr3, 0x400000, U);
    expect(mmu.write8(0x400000, 2)).toBe(true); // stale TLB entry, as on hardware
    mmu.invlpg(0x400000);
    expect(mmu.write8(0x400000, 3)).toBe(false);
    expect(mmu.faultErrorCode).toBe(PfError.P | PfError.W | PfError.U);
    expect(mmu.read8(0x400000)).toBe(2);
  });

  test('changing CR0.WP re-evaluates cached rights', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.map(cr3, 0x9000, mem.allocFrame(), 0);
    mmu.setMode({ ...KERNEL, writeProtect: false });
    expect(mmu.write8(0x9000, 1)).toBe(true);
    mmu.setMode(KERNEL);
    expect(mmu.write8(0x9000, 1)).toBe(false);
    expect(mmu.faultErrorCode).toBe(PfError.P | PfError.W);
  });

  test('turning SMEP on stops kernel fetches from a cached user page', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.map(cr3, 0x400000, mem.allocFrame(), U);
    expect(mmu.translateFetch(0x400000)).toBeGreaterThan(0);
    mmu.setMode({ ...KERNEL, smep: true });
    expect(mmu.translateFetch(0x400000)).toBe(-1);
    expect(mmu.faultErrorCode).toBe(PfError.P | PfError.I);
  });

  test('a page fault invalidates the TLB entry of the faulting address', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.map(cr3, 0x400000, mem.allocFrame(), U);
    mmu.setMode(USER);
    mmu.read8(0x400000);
    expect(mmu.tlb.validEntries).toBe(1);
    expect(mmu.write8(0x400000, 1)).toBe(false);
    expect(mmu.tlb.validEntries).toBe(0);
  });

  test('INVLPG of any address in a 2 MiB page drops all its cached 4 KiB pieces', () => {
    const { pt, cr3, mmu, mem } = machine();
    mem.write32(0x200000 + 0x3000, 1);
    mem.write32(0x400000 + 0x3000, 2);
    pt.mapLarge(cr3, 0x40000000, 0x200000, 0x200000, W);
    expect(mmu.read32(0x40003000)).toBe(1);
    pt.mapLarge(cr3, 0x40000000, 0x400000, 0x200000, W);
    mmu.invlpg(0x40100000);
    expect(mmu.read32(0x40003000)).toBe(2);
  });
});

describe('accesses across a page boundary', () => {
  test('a 32-bit read assembles bytes from two physically distant pages', () => {
    const { mem, pt, cr3, mmu } = machine();
    const a = mem.allocFrame();
    mem.allocFrame();
    const b = mem.allocFrame();
    pt.map(cr3, 0x10000, a, W);
    pt.map(cr3, 0x11000, b, W);
    expect(mmu.write32(0x10ffe, 0x44332211)).toBe(true);
    expect(mem.read16(a + 0xffe)).toBe(0x2211);
    expect(mem.read16(b)).toBe(0x4433);
    expect(mmu.read32(0x10ffe)).toBe(0x44332211);
    expect(mmu.read16(0x10fff)).toBe(0x3322);
  });

  test('a read faults when its second page is unmapped, reporting the start of that page', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.map(cr3, 0x400000, mem.allocFrame(), U | W);
    mmu.setMode(USER);
    expect(mmu.read32(0x400ffd)).toBe(-1);
    expect(mmu.faultAddress).toBe(0x401000);
    expect(mmu.faultErrorCode).toBe(PfError.U);
  });

  test('a read checks the rights of the second page', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.map(cr3, 0x400000, mem.allocFrame(), U | W);
    pt.map(cr3, 0x401000, mem.allocFrame(), W);
    mmu.setMode(USER);
    expect(mmu.read32(0x400ffe)).toBe(-1);
    expect(mmu.faultAddress).toBe(0x401000);
    expect(mmu.faultErrorCode).toBe(PfError.P | PfError.U);
  });

  test('a write that faults on the second page writes nothing to the first', () => {
    const { mem, pt, cr3, mmu } = machine();
    const a = mem.allocFrame();
    pt.map(cr3, 0x400000, a, U | W);
    pt.map(cr3, 0x401000, mem.allocFrame(), U);
    mmu.setMode(USER);
    expect(mmu.write32(0x400ffe, 0xffffffff)).toBe(false);
    expect(mmu.faultAddress).toBe(0x401000);
    expect(mmu.faultErrorCode).toBe(PfError.P | PfError.W | PfError.U);
    expect(mem.read16(a + 0xffe)).toBe(0);
  });

  test('a fault on the first page reports the access address', () => {
    const { mmu } = machine();
    expect(mmu.read32(0x3ffe)).toBe(-1);
    expect(mmu.faultAddress).toBe(0x3ffe);
  });
});

describe('canonical addresses', () => {
  test('non-canonical addresses fault as #GP, distinguishable from #PF', () => {
    const { mmu } = machine();
    expect(mmu.read8(2 ** 47)).toBe(-1);
    expect(mmu.faultIsNonCanonical).toBe(true);
    expect(mmu.write32(-(2 ** 47) - 4, 0)).toBe(false);
    expect(mmu.faultIsNonCanonical).toBe(true);
    expect(mmu.translateFetch(2 ** 50)).toBe(-1);
    expect(mmu.faultIsNonCanonical).toBe(true);
  });

  test('an access that runs off the top of the user half is non-canonical', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.map(cr3, 2 ** 47 - 4096, mem.allocFrame(), W);
    expect(mmu.read16(2 ** 47 - 2)).not.toBe(-1);
    expect(mmu.read32(2 ** 47 - 2)).toBe(-1);
    expect(mmu.faultIsNonCanonical).toBe(true);
    expect(mmu.read8(0x1234000)).toBe(-1);
    expect(mmu.faultIsNonCanonical).toBe(false);
  });

  test('kernel addresses (negative numbers) translate through the upper half', () => {
    const { mem, pt, cr3, mmu } = machine();
    pt.mapRange(cr3, PAGE_OFFSET, 0, 16 * 1024 * 1024, W, PteHi.XD, true);
    pt.map(cr3, START_KERNEL_MAP + 0x1000000, 0x1000000, 0);
    mem.write32(0x123458, 0xfeedface);
    expect(mmu.read32(PAGE_OFFSET + 0x123458)).toBe(0xfeedface);
    expect(mmu.read32(canonical(0xffff8800, 0x00123458))).toBe(0xfeedface);
    expect(mmu.translateFetch(PAGE_OFFSET)).toBe(-1); // direct map is XD
    expect(mmu.translateFetch(START_KERNEL_MAP + 0x1000010)).toBe(0x1000010);
    // the two halves use PML4 slots 272 and 511
    expect(mem.read32(cr3 + 272 * 8) & Pte.P).toBe(1);
    expect(mem.read32(cr3 + 511 * 8) & Pte.P).toBe(1);
  });

  test('a 1 GiB page maps physical memory above 4 GiB', () => {
    const { pt, cr3, mem } = machine();
    const big = new Mmu(mem);
    pt.mapLarge(cr3, 0x80000000, 0x140000000, 0x40000000, W);
    big.loadCr3(cr3);
    big.setMode(KERNEL);
    expect(big.translateFetch(0x80000000 + 0x12345)).toBe(0x140000000 + 0x12345);
    expect(pt.lookup(cr3, 0x80001000)).toMatchObject({
      pa: 0x140001000,
      pageBase: 0x140000000,
      pageSize: 0x40000000,
    });
  });
});

describe('pageVersions', () => {
  test('writes through the MMU bump the version of the physical frame', () => {
    const { mem, pt, cr3, mmu } = machine();
    const a = mem.allocFrame();
    pt.map(cr3, 0x400000, a, W);
    expect(mmu.pageVersions).toBe(mem.pageVersions);
    const before = mmu.pageVersions[a / 4096]!;
    mmu.write8(0x400010, 0x90);
    mmu.write32(0x400020, 0x90909090);
    expect(mmu.pageVersions[a / 4096]).toBe(before + 2);
    expect(mmu.readPhys8(a + 0x10)).toBe(0x90);
  });
});
