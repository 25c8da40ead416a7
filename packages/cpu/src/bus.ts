/**
 * The small interfaces the CPU needs from the rest of the machine. `@legosim/cpu` imports
 * no memory or interrupt package: `@legosim/memory` and `@legosim/interrupts` satisfy
 * these structurally, and anything else with the same shape can be swapped in.
 */

/** Paging state the MMU needs to check an access; the CPU pushes it on every change. */
export interface PagingMode {
  /** Current privilege level (0 kernel, 3 user). */
  cpl: number;
  /** CR0.WP: supervisor writes honour read-only pages. */
  writeProtect: boolean;
  /** EFER.NXE: the XD bit (63) of page-table entries is honoured. */
  noExecute: boolean;
  /** CR4.SMEP: supervisor instruction fetches from user pages fault. */
  smep: boolean;
  /** CR4.SMAP and RFLAGS.AC clear: supervisor data accesses to user pages fault. */
  smap: boolean;
}

/**
 * The memory management unit as one CPU sees it: linear addresses translated through
 * that CPU's page tables and TLB. Linear addresses are canonical values held exactly in a
 * JS number. Reads return the unsigned value, or -1 when the access faulted; writes return
 * false when they faulted. After a fault, `faultAddress` and `faultErrorCode` (the #PF
 * error code bits: P=1, W=2, U=4, RSVD=8, I=16, PK=32) describe it, and the CPU raises #PF.
 */
export interface Mmu {
  readonly faultAddress: number;
  readonly faultErrorCode: number;
  /** The faulting address was not canonical: the CPU raises #GP(0) instead of #PF. */
  readonly faultIsNonCanonical: boolean;

  read8(la: number): number;
  read16(la: number): number;
  read32(la: number): number;
  write8(la: number, value: number): boolean;
  write16(la: number, value: number): boolean;
  write32(la: number, value: number): boolean;
  /**
   * Optional, with `write64` and `valueHi`: reads 64 bits, returning the low half (unsigned)
   * or -1 on a fault and leaving the high half in `valueHi`. Without them the CPU makes each
   * 64-bit access two 32-bit ones; with them an aligned access can be one TLB lookup.
   */
  read64?(la: number): number;
  /** The high half of the last `read64` (its low 32 bits count: int32 or unsigned). */
  readonly valueHi?: number;
  /** Optional, with `read64`: writes 64 bits from two 32-bit halves; on a fault nothing is written. */
  write64?(la: number, lo: number, hi: number): boolean;

  /**
   * Translates `la` for an instruction fetch and returns the physical address, or -1 on a
   * fault. The CPU uses it to find the page's decoded-instruction cache.
   */
  translateFetch(la: number): number;
  /** Reads a byte of physical memory (for instruction bytes after `translateFetch`). */
  readPhys8(pa: number): number;

  /**
   * Counts TLB flushes (CR3 loads, INVLPG, full flushes). The CPU keeps the translation of
   * the page it is fetching from while this count is unchanged.
   */
  readonly flushes: number;

  /** MOV to CR3: new page-table root (physical address), flushes non-global TLB entries. */
  loadCr3(cr3: number): void;
  /** INVLPG: drop the TLB entry for the page of `la`. */
  invlpg(la: number): void;
  /**
   * Privilege and protection bits changed (CPL, CR0.WP, CR4.SMEP/SMAP, EFER.NXE, RFLAGS.AC).
   * The CPU reuses the `mode` record for the next call: copy what you keep.
   */
  setMode(mode: PagingMode): void;
  /**
   * Write versions of physical pages, indexed by page frame number (`pa / 4096`): an
   * entry changes whenever its page is written, so the CPU can tell that its
   * decoded-instruction cache for that page is stale.
   */
  readonly pageVersions: Uint32Array;

  /**
   * Optional, with `readBit`, `writeBit` and `tlbHits`, and only with `read64`/`write64`: the
   * TLB's own arrays, which translation blocks then look up in their compiled code (QEMU's
   * softmmu fast path) instead of calling `read32`/`read64`/`write32`/`write64`.
   */
  readonly tlb?: DirectTlb;
  /** The `DirectTlb.ok` bit a data read needs at the current privilege level. */
  readonly readBit?: number;
  /** The `DirectTlb.ok` bit a data write needs at the current privilege level. */
  readonly writeBit?: number;
  /** Accesses served by the TLB; a direct lookup that hits adds one, as the MMU's own would. */
  tlbHits?: number;
}

/**
 * A TLB that compiled code may read directly. For a linear address `la`, with
 * `off = la & 4095`, `vpn = (la - off) / 4096` and `i = vpn & mask`, an aligned 4- or 8-byte
 * access hits when `tag[i] === vpn`, `ok[i]` has the MMU's `readBit` (or `writeBit`) and
 * `words[i]` is not null; the data is then `words[i][off >> 2]` (and the next word for the
 * high half). A write that hits also adds one to `pageVersions[pfn[i]]`. Every other
 * access goes through the MMU's methods, which fill the TLB, walk, fault or reach devices.
 */
export interface DirectTlb {
  /** Virtual page number per entry (NaN when empty). */
  readonly tag: Float64Array;
  /** Rights per entry: the bits `readBit`/`writeBit` test. */
  readonly ok: Int32Array;
  /** The entry's RAM frame as 32-bit words, or null when it must go through the MMU. */
  readonly words: readonly (Int32Array | null)[];
  /** Page frame number per entry, for the frame's write version. */
  readonly pfn: Int32Array;
  /** Entries - 1 (a power of two minus one). */
  readonly mask: number;
}

/**
 * A source of external interrupts for one CPU (its local APIC). Devices latch; the CPU
 * polls `hasPending` between instructions when RFLAGS.IF = 1.
 */
export interface InterruptSource {
  /** True when a vector is pending that the CPU could accept now. */
  readonly hasPending: boolean;
  /** Accept the highest-priority pending vector (IRR → ISR) and return it, or -1 if none. */
  acknowledge(): number;
}

/** Simulated time, advanced by the CPU as it retires instructions. */
export interface Clock {
  /** Simulated nanoseconds since boot. */
  now(): number;
}
