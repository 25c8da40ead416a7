import { FrameAllocator } from './frame-allocator.js';

/** Options for {@link PhysicalMemory}. */
export interface PhysicalMemoryOptions {
  /** Bytes of physical memory, a multiple of 4096 (default 256 MiB). Backing is allocated lazily. */
  size?: number;
  /**
   * Physical address where the frame allocator starts (default 16 MiB, `CONFIG_PHYSICAL_START`);
   * memory below is left to the kernel to place its image, boot tables, etc.
   */
  allocStart?: number;
}

/** The sized physical accesses the MMU needs; `PhysicalMemory` is one implementation. */
export interface PhysicalAccess {
  readonly pageVersions: Uint32Array;
  read8(pa: number): number;
  read16(pa: number): number;
  read32(pa: number): number;
  write8(pa: number, value: number): void;
  write16(pa: number, value: number): void;
  write32(pa: number, value: number): void;
  /**
   * The frame's 32-bit view, once the frame has storage, on a little-endian host (else
   * undefined). Optional: with it the MMU's TLB points straight at the frame, and aligned
   * accesses skip this interface. The view must stay the frame's for the memory's lifetime.
   */
  frameWords?(pfn: number): Int32Array | undefined;
}

const FRAME = 4096;

/** Aligned 32-bit accesses use an Int32Array view of the frame; that matches x86 byte order only on a little-endian host. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Physical memory of a modeled machine: byte-addressed, little-endian, allocated in 4 KiB
 * frames on first write (reads of untouched memory return 0, so a few GiB cost only what
 * is used). Addresses at or beyond `size` read as all-ones and ignore writes, like an
 * unpopulated bus. Every write bumps `pageVersions[pa / 4096]`.
 */
export class PhysicalMemory implements PhysicalAccess {
  /** Bytes of physical memory. */
  readonly size: number;
  /** Number of 4 KiB frames. */
  readonly frameCount: number;
  /** Write version per frame, incremented on every write into the frame (wraps at 2^32). */
  readonly pageVersions: Uint32Array;
  /** The frame allocator (bookkeeping); use `allocFrame`/`allocPages` to get zeroed memory. */
  readonly allocator: FrameAllocator;
  private readonly frames: (Uint8Array | undefined)[];
  /** The same frames viewed as 32-bit words, for aligned accesses. */
  private readonly words: (Int32Array | undefined)[];

  constructor(options: PhysicalMemoryOptions = {}) {
    const size = options.size ?? 256 * 1024 * 1024;
    if (size <= 0 || size % FRAME !== 0 || size > 2 ** 46) {
      throw new RangeError(
        `physical memory size must be a positive multiple of 4096 below 2^46, got ${size}`,
      );
    }
    this.size = size;
    this.frameCount = size / FRAME;
    this.pageVersions = new Uint32Array(this.frameCount);
    this.frames = new Array<Uint8Array | undefined>(this.frameCount).fill(undefined);
    this.words = new Array<Int32Array | undefined>(this.frameCount).fill(undefined);
    const allocStart = Math.min(options.allocStart ?? 0x1000000, size);
    this.allocator = new FrameAllocator(Math.ceil(allocStart / FRAME), this.frameCount);
  }

  /** Number of frames with backing storage (touched by a write). */
  get residentFrames(): number {
    let n = 0;
    for (const f of this.frames) if (f !== undefined) n++;
    return n;
  }

  frameWords(pfn: number): Int32Array | undefined {
    return LITTLE_ENDIAN && pfn >= 0 && pfn < this.frameCount ? this.words[pfn] : undefined;
  }

  private frameFor(pfn: number): Uint8Array {
    let f = this.frames[pfn];
    if (f === undefined) {
      f = new Uint8Array(FRAME);
      this.frames[pfn] = f;
      this.words[pfn] = new Int32Array(f.buffer);
    }
    return f;
  }

  read8(pa: number): number {
    const pfn = (pa / FRAME) >>> 0;
    if (pfn >= this.frameCount || pa < 0) return 0xff;
    const f = this.frames[pfn];
    return f === undefined ? 0 : f[pa & 4095]!;
  }

  read16(pa: number): number {
    const o = pa & 4095;
    if (o > 4094) return this.read8(pa) | (this.read8(pa + 1) << 8);
    const pfn = (pa / FRAME) >>> 0;
    if (pfn >= this.frameCount || pa < 0) return 0xffff;
    const f = this.frames[pfn];
    return f === undefined ? 0 : f[o]! | (f[o + 1]! << 8);
  }

  /**
   * Reads `count` aligned 32-bit words at `pa` into `dst` (e.g. a struct pt_regs for the trace):
   * one frame's word view when the range is aligned and inside one frame, `read32` otherwise.
   */
  readWords(pa: number, dst: Uint32Array, count: number): void {
    const o = pa & 4095;
    const pfn = (pa / FRAME) >>> 0;
    const w = this.words[pfn];
    if ((o & 3) === 0 && o + count * 4 <= FRAME && LITTLE_ENDIAN && w !== undefined && pa >= 0) {
      const at = o >> 2;
      for (let i = 0; i < count; i++) dst[i] = w[at + i]!;
      return;
    }
    for (let i = 0; i < count; i++) dst[i] = this.read32(pa + i * 4);
  }

  read32(pa: number): number {
    const o = pa & 4095;
    if (o > 4092) return (this.read16(pa) | (this.read16(pa + 2) << 16)) >>> 0;
    const pfn = (pa / FRAME) >>> 0;
    if (pfn >= this.frameCount || pa < 0) return 0xffffffff;
    if ((o & 3) === 0 && LITTLE_ENDIAN) {
      const w = this.words[pfn];
      return w === undefined ? 0 : w[o >> 2]! >>> 0;
    }
    const f = this.frames[pfn];
    return f === undefined ? 0 : (f[o]! | (f[o + 1]! << 8) | (f[o + 2]! << 16) | (f[o + 3]! << 24)) >>> 0;
  }

  write8(pa: number, value: number): void {
    const pfn = (pa / FRAME) >>> 0;
    if (pfn >= this.frameCount || pa < 0) return;
    this.frameFor(pfn)[pa & 4095] = value;
    this.pageVersions[pfn]!++;
  }

  write16(pa: number, value: number): void {
    const o = pa & 4095;
    const pfn = (pa / FRAME) >>> 0;
    if (o > 4094 || pfn >= this.frameCount || pa < 0) {
      this.write8(pa, value);
      this.write8(pa + 1, value >>> 8);
      return;
    }
    const f = this.frameFor(pfn);
    f[o] = value;
    f[o + 1] = value >>> 8;
    this.pageVersions[pfn]!++;
  }

  write32(pa: number, value: number): void {
    const o = pa & 4095;
    const pfn = (pa / FRAME) >>> 0;
    if (o > 4092 || pfn >= this.frameCount || pa < 0) {
      this.write16(pa, value);
      this.write16(pa + 2, value >>> 16);
      return;
    }
    const f = this.frameFor(pfn);
    if ((o & 3) === 0 && LITTLE_ENDIAN) this.words[pfn]![o >> 2] = value;
    else {
      f[o] = value;
      f[o + 1] = value >>> 8;
      f[o + 2] = value >>> 16;
      f[o + 3] = value >>> 24;
    }
    this.pageVersions[pfn]!++;
  }

  /** Copies `len` bytes at `pa` into `dst[off..]`. */
  readBytes(pa: number, dst: Uint8Array, off = 0, len: number = dst.length - off): void {
    while (len > 0) {
      const o = pa & 4095;
      const n = Math.min(len, FRAME - o);
      const pfn = (pa / FRAME) >>> 0;
      if (pa < 0 || pfn >= this.frameCount) dst.fill(0xff, off, off + n);
      else {
        const f = this.frames[pfn];
        if (f === undefined) dst.fill(0, off, off + n);
        else if (n <= 256) {
          // short copies (pt_regs, a syscall's buffer): a loop, no subarray view to allocate
          for (let i = 0; i < n; i++) dst[off + i] = f[o + i]!;
        } else dst.set(f.subarray(o, o + n), off);
      }
      pa += n;
      off += n;
      len -= n;
    }
  }

  /** Copies `src[off..off+len]` to physical memory at `pa`. */
  writeBytes(pa: number, src: Uint8Array, off = 0, len: number = src.length - off): void {
    while (len > 0) {
      const o = pa & 4095;
      const n = Math.min(len, FRAME - o);
      const pfn = (pa / FRAME) >>> 0;
      if (pa >= 0 && pfn < this.frameCount) {
        this.frameFor(pfn).set(src.subarray(off, off + n), o);
        this.pageVersions[pfn]!++;
      }
      pa += n;
      off += n;
      len -= n;
    }
  }

  /** Sets `len` bytes at `pa` to `value` (memset). Zero-filling untouched frames allocates nothing. */
  fill(pa: number, value: number, len: number): void {
    while (len > 0) {
      const o = pa & 4095;
      const n = Math.min(len, FRAME - o);
      const pfn = (pa / FRAME) >>> 0;
      if (pa >= 0 && pfn < this.frameCount) {
        const f = this.frames[pfn];
        if (value === 0 && f === undefined) {
          // already zero
        } else {
          // A frame keeps its storage once it has some: TLBs may point at its view (`frameWords`).
          this.frameFor(pfn).fill(value, o, o + n);
          this.pageVersions[pfn]!++;
        }
      }
      pa += n;
      len -= n;
    }
  }

  /** Allocates one zeroed 4 KiB frame and returns its physical address, or -1 when memory is exhausted. */
  allocFrame(): number {
    return this.allocPages(0);
  }

  /** Frees a frame from `allocFrame`. The caller must have removed every mapping and TLB entry of it. */
  freeFrame(pa: number): void {
    this.freePages(pa, 0);
  }

  /**
   * Allocates 2^order physically contiguous zeroed frames, aligned to their size (order 4 is a
   * 64 KiB kernel stack); returns the physical address, or -1 when memory is exhausted.
   */
  allocPages(order: number): number {
    const pfn = this.allocator.alloc(order);
    if (pfn < 0) return -1;
    const pa = pfn * FRAME;
    this.fill(pa, 0, FRAME * 2 ** order);
    return pa;
  }

  /** Frees a block from `allocPages(order)`. */
  freePages(pa: number, order: number): void {
    if (pa % FRAME !== 0) throw new RangeError(`freePages: 0x${pa.toString(16)} is not page aligned`);
    this.allocator.free(pa / FRAME, order);
  }
}
