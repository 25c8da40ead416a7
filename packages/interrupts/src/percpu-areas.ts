import { GDT_ENTRY_PER_CPU, GDT_ENTRY_TSS, gdtEntryHi, gdtEntryLo, LEGO_GDT_FLAGS } from './gdt.js';
import {
  IO_BITMAP_OFFSET,
  KERNEL_TSS_LIMIT,
  LEGO_PER_CPU_LAYOUT,
  type PerCpuLayout,
  TSS_io_bitmap_base,
  TSS_sp0,
} from './percpu.js';

/**
 * How per-CPU variables are read and written: 32-bit little-endian accesses at kernel
 * virtual addresses (e.g. the direct map through an MMU in kernel mode, or physical memory
 * behind `__pa`). `@legosim/memory`'s `Mmu` fits; so does anything with these two methods.
 */
export interface PerCpuMemory {
  read32(va: number): number;
  write32(va: number, value: number): unknown;
}

const TWO_32 = 4294967296;

/**
 * The per-CPU areas of all CPUs: `__per_cpu_offset[cpu]` (the kernel chooses where each
 * area lives; the offset is the area's virtual address, since symbols are linked at 0),
 * and typed access to the variables. 64-bit values are numbers: `readU64` unsigned (exact
 * below 2^53), `readPointer` a signed canonical address.
 */
export class PerCpuAreas {
  readonly layout: PerCpuLayout;
  /** `__per_cpu_offset[]`. */
  readonly offsets: readonly number[];
  private readonly mem: PerCpuMemory;

  constructor(mem: PerCpuMemory, offsets: readonly number[], layout: PerCpuLayout = LEGO_PER_CPU_LAYOUT) {
    this.mem = mem;
    this.offsets = offsets;
    this.layout = layout;
  }

  /** Areas placed back to back from virtual address `base` (each `layout.size` bytes). */
  static contiguous(
    mem: PerCpuMemory,
    base: number,
    nrCpus: number,
    layout: PerCpuLayout = LEGO_PER_CPU_LAYOUT,
  ): PerCpuAreas {
    const offsets: number[] = [];
    for (let cpu = 0; cpu < nrCpus; cpu++) offsets.push(base + cpu * layout.size);
    return new PerCpuAreas(mem, offsets, layout);
  }

  get nrCpus(): number {
    return this.offsets.length;
  }

  /** `__per_cpu_offset[cpu]`: the value for that CPU's `MSR_GS_BASE`. */
  offset(cpu: number): number {
    const o = this.offsets[cpu];
    if (o === undefined) throw new RangeError(`no per-CPU area for CPU ${cpu}`);
    return o;
  }

  /** `per_cpu_ptr(&sym, cpu)`: the virtual address of a variable (given by its offset) on a CPU. */
  address(cpu: number, sym: number): number {
    return this.offset(cpu) + sym;
  }

  read32(cpu: number, sym: number): number {
    return this.mem.read32(this.address(cpu, sym)) >>> 0;
  }

  write32(cpu: number, sym: number, value: number): void {
    this.mem.write32(this.address(cpu, sym), value >>> 0);
  }

  /** A 64-bit variable as an unsigned number (exact below 2^53). */
  readU64(cpu: number, sym: number): number {
    const va = this.address(cpu, sym);
    return (this.mem.read32(va + 4) >>> 0) * TWO_32 + (this.mem.read32(va) >>> 0);
  }

  /** A pointer variable as a signed canonical address (kernel pointers are negative). */
  readPointer(cpu: number, sym: number): number {
    const va = this.address(cpu, sym);
    return (this.mem.read32(va + 4) | 0) * TWO_32 + (this.mem.read32(va) >>> 0);
  }

  /** Writes a 64-bit variable from a number, signed (canonical address) or unsigned. */
  writeU64(cpu: number, sym: number, value: number): void {
    const va = this.address(cpu, sym);
    this.mem.write32(va, value >>> 0);
    this.mem.write32(va + 4, Math.floor(value / TWO_32) >>> 0);
  }

  /** `cpu_current_top_of_stack` (= `cpu_tss.x86_tss.sp0`) of a CPU. */
  topOfStack(cpu: number): number {
    return this.readPointer(cpu, this.layout.cpu_current_top_of_stack);
  }

  /** `load_sp0`: sets `cpu_tss.x86_tss.sp0` (what `__switch_to` does with `next->thread.sp0`). */
  setTopOfStack(cpu: number, sp0: number): void {
    this.writeU64(cpu, this.layout.cpu_tss + TSS_sp0, sp0);
  }

  /**
   * `setup_per_cpu_areas` + the per-CPU part of `cpu_init` for one CPU: `this_cpu_off`,
   * `cpu_number`, the GDT (Lego's code/data descriptors, the 16-byte TSS descriptor pointing
   * at this CPU's `cpu_tss`, the PER_CPU descriptor whose limit is the CPU number) and the
   * TSS I/O bitmap base. The area must be mapped and zeroed.
   */
  initCpu(cpu: number): void {
    const l = this.layout;
    const base = this.offset(cpu);
    this.writeU64(cpu, l.this_cpu_off, base);
    this.write32(cpu, l.cpu_number, cpu);
    const gdt = base + l.cpu_gdt_page;
    for (const [index, flags] of LEGO_GDT_FLAGS) {
      this.mem.write32(gdt + index * 8, gdtEntryLo(0, 0xfffff));
      this.mem.write32(gdt + index * 8 + 4, gdtEntryHi(flags, 0, 0xfffff));
    }
    // 64-bit available TSS (type 9), present, DPL 0: access byte 0x89.
    const tss = base + l.cpu_tss;
    const tssLow = tss >>> 0;
    this.mem.write32(gdt + GDT_ENTRY_TSS * 8, gdtEntryLo(tssLow, KERNEL_TSS_LIMIT));
    this.mem.write32(gdt + GDT_ENTRY_TSS * 8 + 4, gdtEntryHi(0x0089, tssLow, KERNEL_TSS_LIMIT));
    this.mem.write32(gdt + GDT_ENTRY_TSS * 8 + 8, Math.floor(tss / TWO_32) >>> 0);
    this.mem.write32(gdt + GDT_ENTRY_TSS * 8 + 12, 0);
    // vgetcpu: read-only data (type 5), S, DPL 3, present, D; limit = cpu | node << 12 (node 0).
    this.mem.write32(gdt + GDT_ENTRY_PER_CPU * 8, gdtEntryLo(0, cpu));
    this.mem.write32(gdt + GDT_ENTRY_PER_CPU * 8 + 4, gdtEntryHi(0x40f5, 0, cpu));
    const ioBase = tss + TSS_io_bitmap_base - 2; // io_bitmap_base is the high half of the dword at 100
    this.mem.write32(ioBase, (IO_BITMAP_OFFSET << 16) >>> 0);
  }
}
