/**
 * A simple physical frame allocator: power-of-two blocks of 4 KiB frames, naturally
 * aligned, handed out from a bump pointer and recycled through one free list per order;
 * when the bump pointer is exhausted, a larger free block is split (no coalescing). Enough for page tables, 64 KiB kernel stacks (order 4) and user pages.
 * It only does bookkeeping; `PhysicalMemory` zeroes the frames it hands out.
 */
export class FrameAllocator {
  /** Frames currently allocated. */
  framesInUse = 0;
  private next: number;
  private readonly end: number;
  private readonly freeLists: number[][] = [];
  /** 1 for each frame inside an allocated block (catches double frees and stray frees). */
  private readonly used: Uint8Array;

  /**
   * @param firstFrame frame number where allocation starts (frames below are reserved)
   * @param frameCount total frames of physical memory
   */
  constructor(firstFrame: number, frameCount: number) {
    this.next = firstFrame;
    this.end = frameCount;
    this.used = new Uint8Array(frameCount);
    for (let order = 0; order <= 18; order++) this.freeLists.push([]);
  }

  /** Allocates 2^order contiguous frames aligned to their size; returns the first frame number or -1. */
  alloc(order: number): number {
    const list = this.freeLists[order];
    if (list === undefined) throw new RangeError(`frame allocator: bad order ${order}`);
    let pfn = list.pop();
    if (pfn === undefined) {
      const count = 2 ** order;
      const aligned = Math.ceil(this.next / count) * count;
      if (aligned + count <= this.end) {
        const small = this.freeLists[0]!;
        for (let f = aligned - 1; f >= this.next; f--) small.push(f); // lowest pops first
        this.next = aligned + count;
        pfn = aligned;
      } else {
        pfn = this.split(order);
        if (pfn < 0) return -1;
      }
    }
    this.used.fill(1, pfn, pfn + 2 ** order);
    this.framesInUse += 2 ** order;
    return pfn;
  }

  /** Takes the smallest free block larger than 2^order frames and splits it, buddy style; -1 if none. */
  private split(order: number): number {
    for (let o = order + 1; o < this.freeLists.length; o++) {
      const block = this.freeLists[o]!.pop();
      if (block === undefined) continue;
      // keep the low 2^order frames, return the upper halves to the smaller lists
      for (let k = o - 1; k >= order; k--) this.freeLists[k]!.push(block + 2 ** k);
      return block;
    }
    return -1;
  }

  /** Returns a block from `alloc(order)`. Throws on a frame that is not allocated. */
  free(pfn: number, order: number): void {
    const count = 2 ** order;
    const list = this.freeLists[order];
    if (list === undefined || pfn % count !== 0)
      throw new RangeError(`frame allocator: bad free of ${pfn}/${order}`);
    for (let f = pfn; f < pfn + count; f++) {
      if (this.used[f] !== 1) throw new Error(`frame allocator: frame 0x${f.toString(16)} is not allocated`);
    }
    this.used.fill(0, pfn, pfn + count);
    this.framesInUse -= count;
    list.push(pfn);
  }

  /** True when frame `pfn` is inside an allocated block. */
  isAllocated(pfn: number): boolean {
    return this.used[pfn] === 1;
  }
}
