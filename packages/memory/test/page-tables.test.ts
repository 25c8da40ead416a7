import { describe, expect, test } from 'vitest';
import { PAGE_OFFSET, Pte, PteHi } from '../src/index.js';
import { machine } from './helpers.js';

describe('PageTables', () => {
  test('entries use the real x86-64 format: address bits 12..51, flags low, XD at bit 63', () => {
    const { pt, cr3, mem } = machine();
    expect(pt.map(cr3, 0x400000, 0x123456000, Pte.RW | Pte.US, PteHi.XD)).toBe(true);
    const leaf = pt.lookup(cr3, 0x400abc)!;
    expect(leaf.lo).toBe(0x23456000 | Pte.P | Pte.RW | Pte.US);
    expect(leaf.hi).toBe(0x80000001);
    expect(leaf.pa).toBe(0x123456abc);
    expect(mem.read32(leaf.entryAddress)).toBe(leaf.lo);
  });

  test('intermediate entries are P|RW for kernel mappings and gain U/S for a user mapping below', () => {
    const { pt, cr3, mem } = machine();
    pt.map(cr3, 0x400000, 0x1000, Pte.RW);
    expect(mem.read32(cr3) & 0xfff).toBe(Pte.P | Pte.RW);
    pt.map(cr3, 0x401000, 0x2000, Pte.US);
    expect(mem.read32(cr3) & 0xfff).toBe(Pte.P | Pte.RW | Pte.US);
    // the leaf of the kernel mapping is still supervisor-only
    expect(pt.lookup(cr3, 0x400000)!.lo & Pte.US).toBe(0);
  });

  test('unmap clears the leaf; lookup then reports nothing', () => {
    const { pt, cr3 } = machine();
    pt.map(cr3, 0x400000, 0x1000, Pte.RW);
    expect(pt.unmap(cr3, 0x400000)).toBe(true);
    expect(pt.lookup(cr3, 0x400000)).toBeNull();
    expect(pt.unmap(cr3, 0x400000)).toBe(false);
  });

  test('mapRange with large pages uses 2 MiB pages where aligned and 4 KiB elsewhere', () => {
    const { pt, cr3 } = machine();
    expect(pt.mapRange(cr3, PAGE_OFFSET + 0x1ff000, 0x1ff000, 0x202000, Pte.RW, 0, true)).toBe(true);
    expect(pt.lookup(cr3, PAGE_OFFSET + 0x1ff000)!.pageSize).toBe(4096);
    expect(pt.lookup(cr3, PAGE_OFFSET + 0x200000)!.pageSize).toBe(0x200000);
    expect(pt.lookup(cr3, PAGE_OFFSET + 0x3fffff)!.pa).toBe(0x3fffff);
    expect(pt.lookup(cr3, PAGE_OFFSET + 0x400000)!.pageSize).toBe(4096);
    expect(pt.lookup(cr3, PAGE_OFFSET + 0x401000)).toBeNull();
  });

  test('a 4 KiB mapping inside an existing 2 MiB page is refused', () => {
    const { pt, cr3 } = machine();
    pt.mapLarge(cr3, 0x200000, 0x200000, 0x200000, Pte.RW);
    expect(pt.map(cr3, 0x201000, 0x1000, Pte.RW)).toBe(false);
  });

  test('protect rewrites the flags and keeps the address, for small and large pages', () => {
    const { pt, cr3 } = machine();
    pt.map(cr3, 0x400000, 0x5000, Pte.RW | Pte.US);
    pt.protect(cr3, 0x400000, Pte.US, PteHi.XD);
    const small = pt.lookup(cr3, 0x400000)!;
    expect(small.pageBase).toBe(0x5000);
    expect(small.lo & 0xfff).toBe(Pte.P | Pte.US);
    expect(small.hi >>> 31).toBe(1);
    pt.mapLarge(cr3, 0x40000000, 0x600000, 0x200000, Pte.RW);
    pt.protect(cr3, 0x40001000, 0);
    const large = pt.lookup(cr3, 0x40001000)!;
    expect(large.pageBase).toBe(0x600000);
    expect(large.lo & 0xfff).toBe(Pte.P | Pte.PS);
  });

  test('copyKernelHalf shares the upper-half PML4 entries only', () => {
    const { pt, cr3, mem } = machine();
    pt.map(cr3, PAGE_OFFSET, 0, Pte.RW);
    pt.map(cr3, 0x400000, 0x1000, Pte.US);
    const child = pt.createRoot();
    pt.copyKernelHalf(child, cr3);
    expect(pt.lookup(child, PAGE_OFFSET)!.pa).toBe(0);
    expect(pt.lookup(child, 0x400000)).toBeNull();
    expect(mem.read32(child + 272 * 8)).toBe(mem.read32(cr3 + 272 * 8));
  });

  test('freeUserTables reports each user page and returns every intermediate table', () => {
    const { pt, cr3, mem } = machine();
    const before = mem.allocator.framesInUse;
    pt.map(cr3, PAGE_OFFSET, 0, Pte.RW);
    const kernelTables = mem.allocator.framesInUse - before;
    pt.map(cr3, 0x400000, 0x1000, Pte.US);
    pt.map(cr3, 0x7ffffffde000, 0x2000, Pte.US | Pte.RW);
    pt.mapLarge(cr3, 0x40000000, 0x200000, 0x200000, Pte.US);
    const seen: [number, number, number][] = [];
    pt.freeUserTables(cr3, (va, pa, size) => seen.push([va, pa, size]));
    expect(seen).toEqual([
      [0x400000, 0x1000, 4096],
      [0x40000000, 0x200000, 0x200000],
      [0x7ffffffde000, 0x2000, 4096],
    ]);
    expect(mem.allocator.framesInUse - before).toBe(kernelTables);
    expect(pt.lookup(cr3, PAGE_OFFSET)!.pa).toBe(0);
  });
});
