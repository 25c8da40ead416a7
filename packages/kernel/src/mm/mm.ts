import { type PageTables, type PhysicalMemory, Pte, PteHi } from '@legosim/memory';

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

const PAGE = 4096;

/** A virtual memory area: [start, end), page aligned, with its protection. */
export interface Vma {
  start: number;
  end: number;
  prot: number;
  /** What it maps, for diagnostics: "[heap]", "[stack]", the ELF path, "[anon]". */
  name: string;
  /** Grows down on faults just below it (the stack). */
  growsDown?: boolean;
}

function pageDown(a: number): number {
  return Math.floor(a / PAGE) * PAGE;
}

function pageUp(a: number): number {
  return Math.ceil(a / PAGE) * PAGE;
}

export { pageDown, pageUp };

/**
 * A process address space (Lego's `mm_struct`): its page tables (`pgd`, the CR3 value),
 * the VMAs, the program break and the mmap area. User pages are allocated on demand:
 * the page-fault handler maps a zeroed frame when the address lies in a VMA that allows
 * the access.
 */
export class MmStruct {
  readonly vmas: Vma[] = [];
  brkStart = 0;
  brk = 0;
  /** mmap allocations grow down from here. */
  mmapBase = 0x7ff000000000;

  constructor(
    readonly mem: PhysicalMemory,
    readonly pt: PageTables,
    readonly pgd: number,
  ) {}

  findVma(addr: number): Vma | undefined {
    for (const v of this.vmas) if (addr >= v.start && addr < v.end) return v;
    return undefined;
  }

  /** Adds a VMA, replacing whatever overlapped it (MAP_FIXED semantics). */
  insertVma(vma: Vma): void {
    this.removeRange(vma.start, vma.end);
    this.vmas.push(vma);
    this.vmas.sort((a, b) => a.start - b.start);
  }

  /** Unmaps [start, end): splits VMAs and frees the pages. */
  removeRange(start: number, end: number): void {
    const kept: Vma[] = [];
    for (const v of this.vmas) {
      if (v.end <= start || v.start >= end) {
        kept.push(v);
        continue;
      }
      if (v.start < start) kept.push({ ...v, end: start });
      if (v.end > end) kept.push({ ...v, start: end });
    }
    this.vmas.length = 0;
    this.vmas.push(...kept);
    for (let a = start; a < end; a += PAGE) this.unmapPage(a);
  }

  private unmapPage(va: number): void {
    const leaf = this.pt.lookup(this.pgd, va);
    if (leaf === null) return;
    this.pt.unmap(this.pgd, va);
    this.mem.freeFrame(leaf.pageBase);
  }

  /** A free range of `length` bytes below the mmap base (top-down, first fit). */
  findFreeArea(length: number): number {
    let top = this.mmapBase;
    const sorted = [...this.vmas].sort((a, b) => b.start - a.start);
    for (const v of sorted) {
      if (v.start >= top) continue;
      if (v.end <= top - length) break;
      top = Math.min(top, v.start);
    }
    return top - length;
  }

  /** Page-table flags for a VMA's protection. */
  static pteFlags(prot: number): [lo: number, hi: number] {
    let lo = Pte.P | Pte.US;
    if (prot & PROT_WRITE) lo |= Pte.RW;
    return [lo, prot & PROT_EXEC ? 0 : PteHi.XD];
  }

  /** Maps a fresh zeroed page at `va` with the VMA's protection; returns its physical address or -1. */
  populate(va: number, prot: number): number {
    const pa = this.mem.allocFrame();
    if (pa < 0) return -1;
    const [lo, hi] = MmStruct.pteFlags(prot);
    if (!this.pt.map(this.pgd, pageDown(va), pa, lo, hi)) return -1;
    return pa;
  }

  /**
   * Resolves a user page fault at `addr`: a non-present page inside a VMA that allows the
   * access is populated with zeroes. Returns "mapped", or the reason it cannot be resolved.
   */
  handleFault(addr: number, write: boolean, exec: boolean): 'mapped' | 'no-vma' | 'protection' | 'oom' {
    let vma = this.findVma(addr);
    if (vma === undefined) {
      const below = this.vmas.find((v) => v.growsDown && addr < v.start && addr >= v.start - 64 * PAGE * 16);
      if (below === undefined) return 'no-vma';
      below.start = pageDown(addr);
      vma = below;
    }
    if (write && !(vma.prot & PROT_WRITE)) return 'protection';
    if (exec && !(vma.prot & PROT_EXEC)) return 'protection';
    if (!write && !exec && !(vma.prot & (PROT_READ | PROT_WRITE | PROT_EXEC))) return 'protection';
    if (this.pt.lookup(this.pgd, addr) !== null) return 'protection';
    return this.populate(addr, vma.prot) < 0 ? 'oom' : 'mapped';
  }

  /** Physical address of `va` if mapped (populating it on demand when `populate` is set), or -1. */
  translate(va: number, populate: boolean, write: boolean): number {
    const leaf = this.pt.lookup(this.pgd, va);
    if (leaf !== null) {
      if (write && (leaf.lo & Pte.RW) === 0) return -1;
      return leaf.pa;
    }
    if (!populate) return -1;
    if (this.handleFault(va, write, false) !== 'mapped') return -1;
    return this.pt.lookup(this.pgd, va)?.pa ?? -1;
  }

  /**
   * dup_mmap(): a copy of this address space for fork, in page tables rooted at `pgd` (which
   * already holds the kernel half). Present pages are copied now; the model does not share
   * them copy-on-write.
   */
  dup(pgd: number): MmStruct | undefined {
    const child = new MmStruct(this.mem, this.pt, pgd);
    child.brkStart = this.brkStart;
    child.brk = this.brk;
    child.mmapBase = this.mmapBase;
    const page = new Uint8Array(PAGE);
    for (const v of this.vmas) {
      child.vmas.push({ ...v });
      for (let a = v.start; a < v.end; a += PAGE) {
        const leaf = this.pt.lookup(this.pgd, a);
        if (leaf === null) continue;
        const pa = this.mem.allocFrame();
        if (pa < 0) return undefined;
        this.mem.readBytes(leaf.pageBase, page, 0, PAGE);
        this.mem.writeBytes(pa, page, 0, PAGE);
        if (!this.pt.map(pgd, a, pa, leaf.lo & 0xfff, leaf.hi & 0x80000000)) return undefined;
      }
    }
    return child;
  }

  /** exit_mmap(): frees every user page and the page tables. */
  release(): void {
    for (const v of this.vmas) for (let a = v.start; a < v.end; a += PAGE) this.unmapPage(a);
    this.vmas.length = 0;
  }

  /** Changes the protection of [start, end) (mprotect): VMAs are split, present PTEs rewritten. */
  protect(start: number, end: number, prot: number): boolean {
    for (let a = start; a < end; a += PAGE) if (this.findVma(a) === undefined) return false;
    const next: Vma[] = [];
    for (const v of this.vmas) {
      if (v.end <= start || v.start >= end) {
        next.push(v);
        continue;
      }
      if (v.start < start) next.push({ ...v, end: start });
      next.push({ ...v, start: Math.max(v.start, start), end: Math.min(v.end, end), prot });
      if (v.end > end) next.push({ ...v, start: end });
    }
    this.vmas.length = 0;
    this.vmas.push(...next.sort((a, b) => a.start - b.start));
    const [lo, hi] = MmStruct.pteFlags(prot);
    for (let a = start; a < end; a += PAGE) {
      const leaf = this.pt.lookup(this.pgd, a);
      if (leaf !== null) this.pt.map(this.pgd, a, leaf.pageBase, lo, hi);
    }
    return true;
  }
}
