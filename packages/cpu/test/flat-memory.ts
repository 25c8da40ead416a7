import type { Mmu, PagingMode } from '../src/index.js';

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
  private cpl = 0;

  constructor(
    size: number,
    /** Addresses at or above this are supervisor-only. */
    readonly supervisorFrom: number = size,
  ) {
    this.bytes = new Uint8Array(size);
    this.pageVersions = new Uint32Array(Math.ceil(size / 4096));
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
  }
}
