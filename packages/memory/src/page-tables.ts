import { isCanonical } from './address.js';
import type { PhysicalMemory } from './physical-memory.js';
import { Pte, pteAddress, pteHi, pteLo } from './pte.js';

/** A leaf found by {@link PageTables.lookup}. */
export interface PteLookup {
  /** Physical address that `va` translates to. */
  pa: number;
  /** Physical address of the start of the page (of the whole 2 MiB / 1 GiB page for a large one). */
  pageBase: number;
  /** Page size in bytes: 4096, 2 MiB or 1 GiB. */
  pageSize: number;
  /** Low and high halves of the leaf entry. */
  lo: number;
  hi: number;
  /** Physical address of the leaf entry itself. */
  entryAddress: number;
}

const TWO_48 = 281474976710656;
const SHIFTS = [0, 12, 21, 30, 39];
const FRAME = 4096;

function indexAt(va: number, level: number): number {
  const la48 = va < 0 ? va + TWO_48 : va;
  return Math.floor(la48 / 2 ** SHIFTS[level]!) % 512;
}

/**
 * Kernel-side page-table editing, in the real x86-64 format in modeled physical memory.
 * Intermediate tables come zeroed from the physical frame allocator; their entries are
 * P|RW, plus U/S once any user mapping lives below them (as Linux's `_PAGE_TABLE`).
 * Nothing here touches a TLB: after changing a live mapping the kernel must `invlpg` (or
 * reload CR3) on every CPU that may cache it. Methods returning a boolean return false when
 * a table could not be allocated or a large page is in the way.
 */
export class PageTables {
  readonly mem: PhysicalMemory;

  constructor(mem: PhysicalMemory) {
    this.mem = mem;
  }

  /** Allocates an empty PML4; returns its physical address (a CR3 value) or -1. */
  createRoot(): number {
    return this.mem.allocFrame();
  }

  /**
   * Maps the 4 KiB page at `va` to physical `pa`. `flags` are the low-half bits (P is
   * implied; e.g. `Pte.RW | Pte.US`), `flagsHi` the high-half bits (`PteHi.XD`).
   */
  map(cr3: number, va: number, pa: number, flags: number, flagsHi = 0): boolean {
    return this.mapAt(cr3, va, pa, flags & ~Pte.PS, flagsHi, 1);
  }

  /** Maps a 2 MiB (`pageSize` 0x200000) or 1 GiB (0x40000000) page; `va` and `pa` must be aligned. */
  mapLarge(cr3: number, va: number, pa: number, pageSize: number, flags: number, flagsHi = 0): boolean {
    const level = pageSize === 0x200000 ? 2 : pageSize === 0x40000000 ? 3 : 0;
    if (level === 0) throw new RangeError(`mapLarge: page size must be 2 MiB or 1 GiB, got ${pageSize}`);
    if (va % pageSize !== 0 || pa % pageSize !== 0) throw new RangeError('mapLarge: unaligned address');
    return this.mapAt(cr3, va, pa, flags | Pte.PS, flagsHi, level);
  }

  /**
   * Maps `length` bytes (rounded up to pages) from `va` to `pa`. With `largePages`, uses
   * 1 GiB and 2 MiB pages wherever both addresses are aligned (e.g. the direct map).
   */
  mapRange(
    cr3: number,
    va: number,
    pa: number,
    length: number,
    flags: number,
    flagsHi = 0,
    largePages = false,
  ): boolean {
    let done = 0;
    while (done < length) {
      const v = va + done;
      const p = pa + done;
      const left = length - done;
      let size = FRAME;
      if (largePages) {
        if (left >= 0x40000000 && v % 0x40000000 === 0 && p % 0x40000000 === 0) size = 0x40000000;
        else if (left >= 0x200000 && v % 0x200000 === 0 && p % 0x200000 === 0) size = 0x200000;
      }
      const ok =
        size === FRAME ? this.map(cr3, v, p, flags, flagsHi) : this.mapLarge(cr3, v, p, size, flags, flagsHi);
      if (!ok) return false;
      done += size;
    }
    return true;
  }

  /** Removes the mapping (of any page size) containing `va`; returns false when none existed. */
  unmap(cr3: number, va: number): boolean {
    const found = this.lookup(cr3, va);
    if (found === null) return false;
    this.mem.write32(found.entryAddress, 0);
    this.mem.write32(found.entryAddress + 4, 0);
    return true;
  }

  /** Rewrites the flags of the leaf containing `va`, keeping its address (mprotect); false when unmapped. */
  protect(cr3: number, va: number, flags: number, flagsHi = 0): boolean {
    const found = this.lookup(cr3, va);
    if (found === null) return false;
    const leafBase = found.pageBase;
    const ps = found.pageSize === FRAME ? 0 : Pte.PS;
    this.mem.write32(found.entryAddress, pteLo(leafBase, (flags & ~Pte.PS) | Pte.P | ps));
    this.mem.write32(found.entryAddress + 4, pteHi(leafBase, flagsHi));
    return true;
  }

  /** The leaf mapping `va` (no permission checks, no A/D updates), or null when unmapped. */
  lookup(cr3: number, va: number): PteLookup | null {
    if (!isCanonical(va)) return null;
    let table = cr3 - (cr3 % FRAME);
    for (let level = 4; level >= 1; level--) {
      const addr = table + indexAt(va, level) * 8;
      const lo = this.mem.read32(addr);
      const hi = this.mem.read32(addr + 4);
      if ((lo & Pte.P) === 0) return null;
      const leaf = level === 1 || (level <= 3 && (lo & Pte.PS) !== 0);
      if (leaf) {
        const pageSize = 2 ** SHIFTS[level]!;
        const la48 = va < 0 ? va + TWO_48 : va;
        const offset = la48 % pageSize;
        const pageBase = pteAddress(lo & ~(level === 1 ? 0 : (pageSize - 1) & 0xfffff000), hi);
        return { pa: pageBase + offset, pageBase, pageSize, lo, hi, entryAddress: addr };
      }
      table = pteAddress(lo, hi);
    }
    return null;
  }

  /**
   * Makes `dst` share the kernel half of `src`: copies PML4 entries 256..511 (how every
   * process's page tables see the same kernel mappings).
   */
  copyKernelHalf(dst: number, src: number): void {
    const d = dst - (dst % FRAME);
    const s = src - (src % FRAME);
    for (let i = 256 * 8; i < 4096; i += 4) this.mem.write32(d + i, this.mem.read32(s + i));
  }

  /**
   * Tears down the user half (PML4 entries 0..255): calls `onLeaf(va, pa, pageSize)` for each
   * mapped page (e.g. to free user frames), frees every intermediate table and clears the
   * entries. The PML4 itself stays; free it with `mem.freeFrame(cr3)`.
   */
  freeUserTables(cr3: number, onLeaf?: (va: number, pa: number, pageSize: number) => void): void {
    this.freeLevel(cr3 - (cr3 % FRAME), 4, 0, 256, 0, onLeaf);
  }

  private freeLevel(
    table: number,
    level: number,
    from: number,
    to: number,
    vaBase: number,
    onLeaf: ((va: number, pa: number, pageSize: number) => void) | undefined,
  ): void {
    const span = 2 ** SHIFTS[level]!;
    for (let i = from; i < to; i++) {
      const addr = table + i * 8;
      const lo = this.mem.read32(addr);
      if ((lo & Pte.P) === 0) continue;
      const hi = this.mem.read32(addr + 4);
      const va = vaBase + i * span;
      const leaf = level === 1 || (level <= 3 && (lo & Pte.PS) !== 0);
      if (leaf) {
        const mask = level === 1 ? 0 : (span - 1) & 0xfffff000;
        onLeaf?.(va, pteAddress(lo & ~mask, hi), span);
      } else {
        const child = pteAddress(lo, hi);
        this.freeLevel(child, level - 1, 0, 512, va, onLeaf);
        this.mem.freeFrame(child);
      }
      this.mem.write32(addr, 0);
      this.mem.write32(addr + 4, 0);
    }
  }

  private mapAt(
    cr3: number,
    va: number,
    pa: number,
    flags: number,
    flagsHi: number,
    leafLevel: number,
  ): boolean {
    if (!isCanonical(va)) throw new RangeError(`page tables: non-canonical address ${va}`);
    const user = (flags & Pte.US) !== 0;
    let table = cr3 - (cr3 % FRAME);
    for (let level = 4; level > leafLevel; level--) {
      const addr = table + indexAt(va, level) * 8;
      let lo = this.mem.read32(addr);
      let hi = this.mem.read32(addr + 4);
      if ((lo & Pte.P) === 0) {
        const frame = this.mem.allocFrame();
        if (frame < 0) return false;
        lo = pteLo(frame, Pte.P | Pte.RW | (user ? Pte.US : 0));
        hi = pteHi(frame, 0);
        this.mem.write32(addr, lo);
        this.mem.write32(addr + 4, hi);
      } else if (level <= 3 && (lo & Pte.PS) !== 0) {
        return false;
      } else if (user && (lo & Pte.US) === 0) {
        lo = (lo | Pte.US) >>> 0;
        this.mem.write32(addr, lo);
      }
      table = pteAddress(lo, hi);
    }
    const addr = table + indexAt(va, leafLevel) * 8;
    this.mem.write32(addr, pteLo(pa, flags | Pte.P));
    this.mem.write32(addr + 4, pteHi(pa, flagsHi));
    return true;
  }
}
