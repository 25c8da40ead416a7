import { PHYSICAL_MASK_SHIFT } from './layout.js';
import type { PhysicalAccess } from './physical-memory.js';
import { Tlb, TlbOk } from './tlb.js';
import { Access, type PagingMode, reservedHighMask, WalkResult, walk } from './walker.js';

/**
 * A device whose registers appear in a physical address window of one CPU (e.g. the local
 * APIC at 0xfee00000, which each CPU sees as its own). `LocalApic` of `@legosim/interrupts` fits.
 */
export interface MmioDevice {
  mmioRead(offset: number, size: 1 | 2 | 4): number;
  mmioWrite(offset: number, size: 1 | 2 | 4, value: number): void;
}

/** What dropped TLB entries: a CR3 load (non-global entries), INVLPG of `la`, or a full flush. */
export type TlbFlushKind = 'cr3' | 'invlpg' | 'all';

/** Options for {@link Mmu}. */
export interface MmuOptions {
  /** TLB entries, a power of two (default 1024). */
  tlbEntries?: number;
  /** Physical address bits; entry address bits at or above are reserved (default 46). */
  physicalBits?: number;
}

const TWO_47 = 140737488355328;

/**
 * One CPU's memory management unit: linear addresses (canonical, signed numbers) are
 * translated through the 4-level page tables at CR3 in physical memory, with a TLB in
 * front. Structurally implements `Mmu` from `@legosim/cpu`.
 *
 * Faults: reads return -1, writes return false, `translateFetch` returns -1. Then
 * `faultAddress` is the linear address that faulted (for an access split across two pages,
 * the first byte of the page that faulted) and `faultErrorCode` the #PF error code — unless
 * `faultIsNonCanonical` is true: the address (or the end of the access) was not canonical,
 * which the CPU reports as #GP(0) (or #SS(0) for a stack access), not #PF; the error code is
 * then 0.
 *
 * Multi-byte accesses may be unaligned and may cross a page boundary: both pages are
 * translated (and checked) before any byte is written.
 */
export class Mmu {
  faultAddress = 0;
  faultErrorCode = 0;
  /** The last fault was a non-canonical address (#GP), not a page fault. */
  faultIsNonCanonical = false;
  readonly pageVersions: Uint32Array;
  /** The high half of the last `read64`, as an int32. */
  valueHi = 0;
  readonly tlb: Tlb;
  /** Accesses served by the TLB. */
  tlbHits = 0;
  /** Accesses that missed the TLB (or lacked the right in it) and walked. */
  tlbMisses = 0;
  /** Page-table walks. */
  pageWalks = 0;
  /** TLB flushes (CR3 loads, INVLPG, full flushes). */
  flushes = 0;
  /** Faults reported (page faults and non-canonical addresses). */
  faults = 0;
  /** Called on every TLB flush (for the trace's `tlb_flush` event); never on the access path. */
  onTlbFlush: ((kind: TlbFlushKind, la: number) => void) | undefined = undefined;

  private cr3Value = 0;
  private readonly mmioBase: number[] = [];
  private readonly mmioEnd: number[] = [];
  private readonly mmioDevice: MmioDevice[] = [];
  private readonly mem: PhysicalAccess;
  private readonly rsvdHi: number;
  private readonly mode: PagingMode = {
    cpl: 0,
    writeProtect: true,
    noExecute: true,
    smep: false,
    smap: false,
  };
  private readonly result = new WalkResult();
  private readonly tag: Float64Array;
  private readonly pa: Float64Array;
  private readonly ok: Int32Array;
  private readonly words: (Int32Array | null)[];
  private readonly pfn: Int32Array;
  private readonly mask: number;
  /**
   * The `TlbOk` bit a data read (write) needs at the current privilege level: set by
   * `setMode`, read by every access and by translation blocks that look the TLB up directly.
   */
  readBit: number = TlbOk.SupervisorRead;
  writeBit: number = TlbOk.SupervisorWrite;
  private fetchBit: number = TlbOk.SupervisorFetch;

  /** @param mem physical memory (e.g. `PhysicalMemory`), shared by every CPU's MMU */
  constructor(mem: PhysicalAccess, options: MmuOptions = {}) {
    this.mem = mem;
    this.pageVersions = mem.pageVersions;
    this.rsvdHi = reservedHighMask(options.physicalBits ?? PHYSICAL_MASK_SHIFT);
    this.tlb = new Tlb(options.tlbEntries ?? 1024);
    this.tag = this.tlb.tag;
    this.pa = this.tlb.pa;
    this.ok = this.tlb.ok;
    this.words = this.tlb.words;
    this.pfn = this.tlb.pfn;
    this.mask = this.tlb.mask;
  }

  /**
   * Points TLB entry `i` at its frame's 32-bit view, when it has none yet and the physical
   * memory offers one (`frameWords`): after a fill, and after an access through the slow path,
   * since the frame may have got storage since (a write that did not go through this MMU).
   */
  private attachFrame(i: number): void {
    if (this.words[i] === null) this.words[i] = this.mem.frameWords?.(this.pfn[i]!) ?? null;
  }

  /** The current CR3 (physical address of the PML4). */
  get cr3(): number {
    return this.cr3Value;
  }

  /** The current paging mode (a copy). */
  getMode(): PagingMode {
    return { ...this.mode };
  }

  read8(la: number): number {
    const off = la & 4095;
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    if (this.tag[i] === vpn && (this.ok[i]! & this.readBit) !== 0) {
      this.tlbHits++;
      return this.mem.read8(this.pa[i]! + off);
    }
    const pa = this.translateSlow(la, Access.Read);
    return pa < 0 ? -1 : this.mmioBase.length === 0 ? this.mem.read8(pa) : this.physRead(pa, 1);
  }

  read16(la: number): number {
    const off = la & 4095;
    if (off > 4094) return this.readSplit(la, 2);
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    if (this.tag[i] === vpn && (this.ok[i]! & this.readBit) !== 0) {
      this.tlbHits++;
      return this.mem.read16(this.pa[i]! + off);
    }
    const pa = this.translateSlow(la, Access.Read);
    return pa < 0 ? -1 : this.mmioBase.length === 0 ? this.mem.read16(pa) : this.physRead(pa, 2);
  }

  read32(la: number): number {
    // The hit on a RAM frame, kept small enough for V8 to inline into the CPU's accessors.
    const off = la & 4095;
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    const w = this.words[i]!;
    if (w !== null && (off & 3) === 0 && this.tag[i] === vpn && (this.ok[i]! & this.readBit) !== 0) {
      this.tlbHits++;
      return w[off >> 2]! >>> 0;
    }
    return this.read32Slow(la);
  }

  private read32Slow(la: number): number {
    const off = la & 4095;
    if (off > 4092) return this.readSplit(la, 4);
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    if (this.tag[i] === vpn && (this.ok[i]! & this.readBit) !== 0) {
      this.tlbHits++;
      this.attachFrame(i);
      return this.mem.read32(this.pa[i]! + off);
    }
    const pa = this.translateSlow(la, Access.Read);
    return pa < 0 ? -1 : this.mmioBase.length === 0 ? this.mem.read32(pa) : this.physRead(pa, 4);
  }

  /**
   * Reads 64 bits: returns the low half (unsigned), or -1 on a fault, and leaves the high
   * half in `valueHi`. An access within one page is translated once, as the hardware's
   * single TLB lookup for it; one that crosses a page reads as two 32-bit halves.
   */
  read64(la: number): number {
    const off = la & 4095;
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    const w = this.words[i]!;
    if (w !== null && (off & 7) === 0 && this.tag[i] === vpn && (this.ok[i]! & this.readBit) !== 0) {
      this.tlbHits++;
      // int32: a small integer for V8, never a boxed number
      this.valueHi = w[(off >> 2) + 1]!;
      return w[off >> 2]! >>> 0;
    }
    return this.read64Slow(la);
  }

  private read64Slow(la: number): number {
    const off = la & 4095;
    if (off <= 4088) {
      const vpn = (la - off) / 4096;
      const i = vpn & this.mask;
      let pa: number;
      if (this.tag[i] === vpn && (this.ok[i]! & this.readBit) !== 0) {
        this.tlbHits++;
        this.attachFrame(i);
        pa = this.pa[i]! + off;
      } else {
        pa = this.translateSlow(la, Access.Read);
        if (pa < 0) return -1;
        if (this.mmioBase.length !== 0) {
          this.valueHi = this.physRead(pa + 4, 4) | 0;
          return this.physRead(pa, 4);
        }
      }
      this.valueHi = this.mem.read32(pa + 4) | 0;
      return this.mem.read32(pa);
    }
    const lo = this.read32(la);
    if (lo < 0) return -1;
    const hi = this.read32(la + 4);
    if (hi < 0) return -1;
    this.valueHi = hi | 0;
    return lo;
  }

  /** Writes 64 bits (halves as unsigned or int32); false on a fault, with nothing written. */
  write64(la: number, lo: number, hi: number): boolean {
    const off = la & 4095;
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    const w = this.words[i]!;
    if (w !== null && (off & 7) === 0 && this.tag[i] === vpn && (this.ok[i]! & this.writeBit) !== 0) {
      this.tlbHits++;
      w[(off >> 2) + 1] = hi;
      w[off >> 2] = lo;
      this.pageVersions[this.pfn[i]!]!++;
      return true;
    }
    return this.write64Slow(la, lo, hi);
  }

  private write64Slow(la: number, lo: number, hi: number): boolean {
    const off = la & 4095;
    if (off <= 4088) {
      const vpn = (la - off) / 4096;
      const i = vpn & this.mask;
      let pa: number;
      if (this.tag[i] === vpn && (this.ok[i]! & this.writeBit) !== 0) {
        this.tlbHits++;
        pa = this.pa[i]! + off;
      } else {
        pa = this.translateSlow(la, Access.Write);
        if (pa < 0) return false;
        if (this.mmioBase.length !== 0) {
          this.physWrite(pa + 4, 4, hi >>> 0);
          this.physWrite(pa, 4, lo >>> 0);
          return true;
        }
      }
      this.mem.write32(pa + 4, hi >>> 0);
      this.mem.write32(pa, lo >>> 0);
      this.attachFrame(vpn & this.mask);
      return true;
    }
    // The high half first: it is on the second page, so a fault there leaves memory unchanged.
    return this.write32(la + 4, hi >>> 0) && this.write32(la, lo >>> 0);
  }

  write8(la: number, value: number): boolean {
    const off = la & 4095;
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    if (this.tag[i] === vpn && (this.ok[i]! & this.writeBit) !== 0) {
      this.tlbHits++;
      this.mem.write8(this.pa[i]! + off, value);
      // the first write to a frame gives it storage: point the entry at it, so the next
      // accesses (a block's, a REP MOVS/STOS's) take the direct path
      this.attachFrame(i);
      return true;
    }
    const pa = this.translateSlow(la, Access.Write);
    if (pa < 0) return false;
    if (this.mmioBase.length === 0) this.mem.write8(pa, value);
    else this.physWrite(pa, 1, value);
    return true;
  }

  write16(la: number, value: number): boolean {
    const off = la & 4095;
    if (off > 4094) return this.writeSplit(la, 2, value);
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    if (this.tag[i] === vpn && (this.ok[i]! & this.writeBit) !== 0) {
      this.tlbHits++;
      this.mem.write16(this.pa[i]! + off, value);
      this.attachFrame(i); // as in write8
      return true;
    }
    const pa = this.translateSlow(la, Access.Write);
    if (pa < 0) return false;
    if (this.mmioBase.length === 0) this.mem.write16(pa, value);
    else this.physWrite(pa, 2, value);
    return true;
  }

  write32(la: number, value: number): boolean {
    const off = la & 4095;
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    const w = this.words[i]!;
    if (w !== null && (off & 3) === 0 && this.tag[i] === vpn && (this.ok[i]! & this.writeBit) !== 0) {
      this.tlbHits++;
      w[off >> 2] = value;
      this.pageVersions[this.pfn[i]!]!++;
      return true;
    }
    return this.write32Slow(la, value);
  }

  private write32Slow(la: number, value: number): boolean {
    const off = la & 4095;
    if (off > 4092) return this.writeSplit(la, 4, value);
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    if (this.tag[i] === vpn && (this.ok[i]! & this.writeBit) !== 0) {
      this.tlbHits++;
      this.mem.write32(this.pa[i]! + off, value);
      this.attachFrame(i); // the write may have given the frame its storage
      return true;
    }
    const pa = this.translateSlow(la, Access.Write);
    if (pa < 0) return false;
    if (this.mmioBase.length === 0) this.mem.write32(pa, value);
    else this.physWrite(pa, 4, value);
    return true;
  }

  translateFetch(la: number): number {
    const off = la & 4095;
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    if (this.tag[i] === vpn && (this.ok[i]! & this.fetchBit) !== 0) {
      this.tlbHits++;
      return this.pa[i]! + off;
    }
    return this.translateSlow(la, Access.Fetch);
  }

  /**
   * Translates `la` for an access of kind `access` (0 read, 1 write, 2 fetch) in the current
   * mode, with the same checks, A/D updates and TLB fill as a real access; returns the
   * physical address or -1 (fault fields set). For kernel helpers such as copy_to_user.
   */
  translate(la: number, access: Access): number {
    const off = la & 4095;
    const vpn = (la - off) / 4096;
    const i = vpn & this.mask;
    const bit =
      access === Access.Read ? this.readBit : access === Access.Write ? this.writeBit : this.fetchBit;
    if (this.tag[i] === vpn && (this.ok[i]! & bit) !== 0) {
      this.tlbHits++;
      return this.pa[i]! + off;
    }
    return this.translateSlow(la, access);
  }

  readPhys8(pa: number): number {
    return this.mem.read8(pa);
  }

  loadCr3(cr3: number): void {
    this.cr3Value = cr3;
    this.tlb.flush(true);
    this.flushes++;
    this.onTlbFlush?.('cr3', 0);
  }

  invlpg(la: number): void {
    const off = la & 4095;
    this.tlb.invalidate((la - off) / 4096);
    this.flushes++;
    this.onTlbFlush?.('invlpg', la);
  }

  /** Drops every TLB entry, global ones included (CR4.PGE toggle). */
  flushAll(): void {
    this.tlb.flush(false);
    this.flushes++;
    this.onTlbFlush?.('all', 0);
  }

  setMode(mode: PagingMode): void {
    const m = this.mode;
    const user = mode.cpl === 3;
    m.cpl = mode.cpl;
    this.readBit = user ? TlbOk.UserRead : TlbOk.SupervisorRead;
    this.writeBit = user ? TlbOk.UserWrite : TlbOk.SupervisorWrite;
    this.fetchBit = user ? TlbOk.UserFetch : TlbOk.SupervisorFetch;
    if (
      m.writeProtect === mode.writeProtect &&
      m.noExecute === mode.noExecute &&
      m.smep === mode.smep &&
      m.smap === mode.smap
    ) {
      return;
    }
    const nxeChanged = m.noExecute !== mode.noExecute;
    m.writeProtect = mode.writeProtect;
    m.noExecute = mode.noExecute;
    m.smep = mode.smep;
    m.smap = mode.smap;
    // XD turns from a permission into a reserved bit (or back): cached walks are void.
    if (nxeChanged) this.flushAll();
    else this.tlb.recompute(m.writeProtect, m.noExecute, m.smep, m.smap);
  }

  private translateSlow(la: number, access: Access): number {
    if (la < -TWO_47 || la >= TWO_47) {
      this.faultAddress = la;
      this.faultErrorCode = 0;
      this.faultIsNonCanonical = true;
      this.faults++;
      return -1;
    }
    const off = la & 4095;
    const vpn = (la - off) / 4096;
    this.tlbMisses++;
    this.pageWalks++;
    const r = this.result;
    if (!walk(this.mem, this.cr3Value, la, access, this.mode, this.rsvdHi, r)) {
      // A page fault invalidates the TLB entries of the faulting address (SDM §4.10.4.1).
      const i = vpn & this.mask;
      if (this.tag[i] === vpn) this.tag[i] = Number.NaN;
      this.faultAddress = la;
      this.faultErrorCode = r.errorCode;
      this.faultIsNonCanonical = false;
      this.faults++;
      return -1;
    }
    const m = this.mode;
    // MMIO pages get no fast-path rights: every access comes back here and goes to the device.
    const device = this.mmioBase.length !== 0 && this.mmioIndex(r.pageBase) >= 0;
    const ok = Tlb.okBits(r.perms, m.writeProtect, m.noExecute, m.smep, m.smap);
    this.tlb.fill(vpn, r.pageBase, r.perms, r.pageShift, ok, null, device);
    if (!device && ok !== 0) this.attachFrame(vpn & this.mask);
    return r.pageBase + off;
  }

  /**
   * Routes physical `[base, base + size)` of this CPU to `device` (per CPU, like the local
   * APIC page). Accesses through paging reach the device with the offset in the window;
   * `readPhys8` and other CPUs still see plain memory. Flushes the TLB.
   */
  mapMmio(base: number, size: number, device: MmioDevice): void {
    this.mmioBase.push(base);
    this.mmioEnd.push(base + size);
    this.mmioDevice.push(device);
    this.flushAll();
  }

  private mmioIndex(pa: number): number {
    for (let k = 0; k < this.mmioBase.length; k++) {
      if (pa >= this.mmioBase[k]! && pa < this.mmioEnd[k]!) return k;
    }
    return -1;
  }

  private physRead(pa: number, size: 1 | 2 | 4): number {
    const k = this.mmioIndex(pa);
    if (k >= 0) return this.mmioDevice[k]!.mmioRead(pa - this.mmioBase[k]!, size) >>> 0;
    return size === 1 ? this.mem.read8(pa) : size === 2 ? this.mem.read16(pa) : this.mem.read32(pa);
  }

  private physWrite(pa: number, size: 1 | 2 | 4, value: number): void {
    const k = this.mmioIndex(pa);
    if (k >= 0) this.mmioDevice[k]!.mmioWrite(pa - this.mmioBase[k]!, size, value);
    else if (size === 1) this.mem.write8(pa, value);
    else if (size === 2) this.mem.write16(pa, value);
    else this.mem.write32(pa, value);
  }

  private readSplit(la: number, size: number): number {
    const first = this.translate(la, Access.Read);
    if (first < 0) return -1;
    const next = la - (la & 4095) + 4096;
    const second = this.translate(next, Access.Read);
    if (second < 0) return -1;
    const n1 = next - la;
    let value = 0;
    for (let k = 0; k < size; k++) {
      const b = this.physRead(k < n1 ? first + k : second + (k - n1), 1);
      value += b * 2 ** (8 * k);
    }
    return value;
  }

  private writeSplit(la: number, size: number, value: number): boolean {
    const first = this.translate(la, Access.Write);
    if (first < 0) return false;
    const next = la - (la & 4095) + 4096;
    const second = this.translate(next, Access.Write);
    if (second < 0) return false;
    const n1 = next - la;
    for (let k = 0; k < size; k++) {
      const b = (value >>> (8 * k)) & 0xff;
      this.physWrite(k < n1 ? first + k : second + (k - n1), 1, b);
    }
    return true;
  }
}
