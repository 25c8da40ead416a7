import { Perm } from './walker.js';

/** Bits of {@link Tlb.ok}: which accesses an entry allows in which privilege, for the current mode. */
export enum TlbOk {
  UserRead = 1,
  UserWrite = 2,
  UserFetch = 4,
  SupervisorRead = 8,
  SupervisorWrite = 16,
  SupervisorFetch = 32,
}

/**
 * A direct-mapped TLB of 4 KiB translations, indexed by the low bits of the virtual page
 * number (large pages are cached as their 4 KiB pieces, remembering the large page for
 * INVLPG). Each entry keeps the combined rights of its walk (`perms`), and `ok` caches
 * which of read/write/fetch × user/supervisor those rights allow under the current
 * CR0.WP/CR4.SMEP/SMAP/EFER.NXE, so a lookup is a tag compare and a bit test. A write is
 * only allowed from the TLB once the leaf is dirty, so the first write walks and sets D.
 * Plain typed arrays, no allocation after construction.
 */
export class Tlb {
  readonly size: number;
  readonly mask: number;
  /** Virtual page number (signed) per entry; NaN when empty. */
  readonly tag: Float64Array;
  /** Physical address of the 4 KiB page per entry. */
  readonly pa: Float64Array;
  /** {@link Perm} bits per entry. */
  readonly perms: Int32Array;
  /** {@link TlbOk} bits per entry. */
  readonly ok: Int32Array;
  /** First virtual page number of the (large) page an entry came from. */
  readonly spanStart: Float64Array;
  /** Number of 4 KiB pages of the page an entry came from (1, 512 or 262144). */
  readonly spanPages: Int32Array;
  /**
   * The 32-bit view of the entry's physical frame when it is plain RAM with storage, else
   * null: the MMU then reads and writes the frame directly (`PhysicalAccess.frameWords`).
   */
  readonly words: (Int32Array | null)[];
  /** Page frame number of the entry's 4 KiB page (for the frame's write version). */
  readonly pfn: Int32Array;
  /**
   * 1 for an entry of a device page (MMIO): it has no `ok` rights whatever its walk allowed,
   * so that every access goes through the MMU's slow path to the device, after a mode
   * change (`recompute`) as well as after the fill.
   */
  readonly device: Uint8Array;
  /** True once an entry from a large page was filled (INVLPG must then scan). */
  hasLarge = false;

  constructor(size = 1024) {
    if (size < 1 || (size & (size - 1)) !== 0)
      throw new RangeError(`TLB size must be a power of two, got ${size}`);
    this.size = size;
    this.mask = size - 1;
    this.tag = new Float64Array(size).fill(Number.NaN);
    this.pa = new Float64Array(size);
    this.perms = new Int32Array(size);
    this.ok = new Int32Array(size);
    this.spanStart = new Float64Array(size);
    this.spanPages = new Int32Array(size);
    this.words = new Array<Int32Array | null>(size).fill(null);
    this.pfn = new Int32Array(size);
    this.device = new Uint8Array(size);
  }

  /** The {@link TlbOk} bits for walk rights `perms` under the given mode bits. */
  static okBits(
    perms: number,
    writeProtect: boolean,
    noExecute: boolean,
    smep: boolean,
    smap: boolean,
  ): number {
    const u = (perms & Perm.User) !== 0;
    const w = (perms & Perm.Write) !== 0;
    const d = (perms & Perm.Dirty) !== 0;
    const x = !(noExecute && (perms & Perm.NoExec) !== 0);
    let ok = 0;
    if (u) {
      ok |= TlbOk.UserRead;
      if (w && d) ok |= TlbOk.UserWrite;
      if (x) ok |= TlbOk.UserFetch;
    }
    if (!(u && smap)) {
      ok |= TlbOk.SupervisorRead;
      if ((w || !writeProtect) && d) ok |= TlbOk.SupervisorWrite;
    }
    if (x && !(u && smep)) ok |= TlbOk.SupervisorFetch;
    return ok;
  }

  /** Fills the entry for virtual page `vpn`; a `device` entry gets no `ok` rights. */
  fill(
    vpn: number,
    pa: number,
    perms: number,
    pageShift: number,
    ok: number,
    words: Int32Array | null = null,
    device = false,
  ): void {
    const i = vpn & this.mask;
    this.tag[i] = vpn;
    this.pa[i] = pa;
    this.pfn[i] = pa / 4096;
    this.words[i] = device ? null : words;
    this.perms[i] = perms;
    this.ok[i] = device ? 0 : ok;
    this.device[i] = device ? 1 : 0;
    const pages = 2 ** (pageShift - 12);
    this.spanPages[i] = pages;
    this.spanStart[i] = vpn - (vpn & (pages - 1));
    if (pages > 1) this.hasLarge = true;
  }

  /** Recomputes `ok` of every entry after a mode change. */
  recompute(writeProtect: boolean, noExecute: boolean, smep: boolean, smap: boolean): void {
    for (let i = 0; i < this.size; i++) {
      this.ok[i] = this.device[i] === 0 ? Tlb.okBits(this.perms[i]!, writeProtect, noExecute, smep, smap) : 0;
    }
  }

  /** Drops every entry, or every non-global entry when `keepGlobal`. */
  flush(keepGlobal: boolean): void {
    if (!keepGlobal) {
      this.tag.fill(Number.NaN);
      this.hasLarge = false;
      return;
    }
    let large = false;
    for (let i = 0; i < this.size; i++) {
      if ((this.perms[i]! & Perm.Global) === 0) this.tag[i] = Number.NaN;
      else if (this.spanPages[i]! > 1 && !Number.isNaN(this.tag[i]!)) large = true;
    }
    this.hasLarge = large;
  }

  /** Drops the translation of virtual page `vpn`, including every piece of a large page containing it. */
  invalidate(vpn: number): void {
    const i = vpn & this.mask;
    if (this.tag[i] === vpn) this.tag[i] = Number.NaN;
    if (!this.hasLarge) return;
    for (let j = 0; j < this.size; j++) {
      const start = this.spanStart[j]!;
      if (vpn >= start && vpn < start + this.spanPages[j]! && this.spanPages[j]! > 1)
        this.tag[j] = Number.NaN;
    }
  }

  /** Number of valid entries (for tests and stats). */
  get validEntries(): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) if (!Number.isNaN(this.tag[i]!)) n++;
    return n;
  }
}
