import type { DirectTlb, Mmu, PagingMode } from '../src/index.js';

/**
 * A second memory implementation for the CPU: identity-mapped flat memory with one
 * supervisor-only range, no paging structures at all. The CPU runs on it unchanged,
 * which is what its small `Mmu` interface is for.
 */
export class FlatMemory implements Mmu {
  faultAddress = 0;
  faultErrorCode = 0;
  faultIsNonCanonical = false;
  flushes = 0;
  readonly bytes: Uint8Array;
  readonly pageVersions: Uint32Array;
  /** With `directTlb`: a TLB that always holds every page, which translation blocks read. */
  readonly tlb: DirectTlb | undefined;
  readBit = 0;
  writeBit = 0;
  tlbHits = 0;
  private cpl = 0;

  constructor(
    size: number,
    /** Addresses at or above this are supervisor-only. */
    readonly supervisorFrom: number = size,
    directTlb = false,
  ) {
    this.bytes = new Uint8Array(size);
    this.pageVersions = new Uint32Array(Math.ceil(size / 4096));
    this.tlb = directTlb ? this.makeTlb() : undefined;
    this.setMode({ cpl: 0, writeProtect: true, noExecute: true, smep: false, smap: false });
  }

  /** Entry i is page i; ok bits 1/2 supervisor read/write, 4/8 user read/write. */
  private makeTlb(): DirectTlb {
    const pages = this.pageVersions.length;
    let entries = 1;
    while (entries < pages) entries *= 2;
    const tag = new Float64Array(entries).fill(Number.NaN);
    const ok = new Int32Array(entries);
    const words: (Int32Array | null)[] = new Array(entries).fill(null);
    const pfn = new Int32Array(entries);
    for (let p = 0; p < pages; p++) {
      tag[p] = p;
      ok[p] = (p + 1) * 4096 <= this.supervisorFrom ? 15 : 3;
      words[p] = new Int32Array(this.bytes.buffer, p * 4096, 1024);
      pfn[p] = p;
    }
    return { tag, ok, words, pfn, mask: entries - 1 };
  }

  private ok(la: number, n: number, write: boolean): boolean {
    if (la < 0 || la + n > this.bytes.length) {
      this.faultAddress = la;
      this.faultErrorCode = (write ? 2 : 0) | (this.cpl === 3 ? 4 : 0);
      this.faultIsNonCanonical = la >= 0x800000000000 || la < -0x800000000000;
      return false;
    }
    if (this.cpl === 3 && la + n > this.supervisorFrom) {
      this.faultAddress = Math.max(la, this.supervisorFrom);
      this.faultErrorCode = 1 | (write ? 2 : 0) | 4;
      this.faultIsNonCanonical = false;
      return false;
    }
    return true;
  }

  read8(la: number): number {
    return this.ok(la, 1, false) ? this.bytes[la]! : -1;
  }
  read16(la: number): number {
    return this.ok(la, 2, false) ? this.bytes[la]! | (this.bytes[la + 1]! << 8) : -1;
  }
  read32(la: number): number {
    if (!this.ok(la, 4, false)) return -1;
    const b = this.bytes;
    return (b[la]! | (b[la + 1]! << 8) | (b[la + 2]! << 16) | (b[la + 3]! << 24)) >>> 0;
  }
  write8(la: number, v: number): boolean {
    if (!this.ok(la, 1, true)) return false;
    this.bytes[la] = v;
    this.pageVersions[la >> 12]!++;
    return true;
  }
  write16(la: number, v: number): boolean {
    return this.write8(la, v & 0xff) && this.write8(la + 1, v >>> 8);
  }
  write32(la: number, v: number): boolean {
    return this.write16(la, v & 0xffff) && this.write16(la + 2, v >>> 16);
  }
  valueHi = 0;
  read64(la: number): number {
    if (!this.ok(la, 8, false)) return -1;
    this.valueHi = this.read32(la + 4);
    return this.read32(la);
  }
  write64(la: number, lo: number, hi: number): boolean {
    if (!this.ok(la, 8, true)) return false;
    return this.write32(la + 4, hi >>> 0) && this.write32(la, lo >>> 0);
  }
  translateFetch(la: number): number {
    return this.ok(la, 1, false) ? la : -1;
  }
  readPhys8(pa: number): number {
    return this.bytes[pa]!;
  }
  loadCr3(): void {}
  invlpg(): void {}
  setMode(mode: PagingMode): void {
    this.cpl = mode.cpl;
    this.readBit = mode.cpl === 3 ? 4 : 1;
    this.writeBit = mode.cpl === 3 ? 8 : 2;
  }
}
