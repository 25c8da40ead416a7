/**
 * Lego's per-CPU areas. `.data..percpu` is linked at address 0, so a per-CPU symbol's
 * value is its offset inside the area; CPU n's copy lives at `__per_cpu_offset[n] + sym`
 * and the kernel reaches it as `%gs:sym` with `MSR_GS_BASE = __per_cpu_offset[n]`.
 *
 * The order follows the linker script's sections: `.data..percpu..page_aligned`
 * (`cpu_gdt_page`), `.data..percpu..shared_aligned` (`cpu_tss`), then `.data..percpu`.
 */

/** Field offsets of `struct x86_hw_tss` (packed). */
export const TSS_reserved1 = 0;
export const TSS_sp0 = 4;
export const TSS_sp1 = 12;
export const TSS_sp2 = 20;
export const TSS_reserved2 = 28;
/** `ist[7]`, u64 each. Lego never uses IST. */
export const TSS_ist = 36;
export const TSS_reserved3 = 92;
export const TSS_reserved4 = 100;
export const TSS_io_bitmap_base = 102;
/** `sizeof(struct x86_hw_tss)`. */
export const X86_HW_TSS_SIZE = 104;
/** `IO_BITMAP_BYTES`: 65536 ports / 8. */
export const IO_BITMAP_BYTES = 8192;
/** `offsetof(struct tss_struct, io_bitmap)`. */
export const IO_BITMAP_OFFSET = 104;
/** `sizeof(struct tss_struct)`: hw TSS + `io_bitmap[IO_BITMAP_LONGS + 1]`, cacheline aligned. */
export const TSS_STRUCT_SIZE = 8320;
/** `__KERNEL_TSS_LIMIT`: the TSS descriptor's limit. */
export const KERNEL_TSS_LIMIT: number = IO_BITMAP_OFFSET + IO_BITMAP_BYTES + 8 - 1;
/** GDT entries per CPU (`GDT_ENTRIES`). */
export const GDT_ENTRIES = 16;

/** One per-CPU variable: offset in the area (= its symbol value) and size in bytes. */
export interface PerCpuSymbol {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

/** An extra per-CPU variable for {@link PerCpuLayout}. */
export interface PerCpuVariable {
  name: string;
  size: number;
  align?: number;
}

const PAGE_SIZE = 4096;

function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

/**
 * Offsets of Lego's per-CPU variables in the per-CPU area, and the area size (a multiple
 * of 4096). Extra variables (e.g. from the kernel) are appended to `.data..percpu`.
 */
export class PerCpuLayout {
  /** `cpu_gdt_page`: 16 descriptors × 8 bytes, page aligned. */
  readonly cpu_gdt_page: number;
  /** `cpu_tss`: `struct tss_struct` (x86_hw_tss + I/O bitmap), cacheline aligned. */
  readonly cpu_tss: number;
  /** `cpu_current_top_of_stack` = `cpu_tss + TSS_sp0`: not a variable of its own. */
  readonly cpu_current_top_of_stack: number;
  /** `rsp_scratch`: the user RSP during `entry_SYSCALL_64`. */
  readonly rsp_scratch: number;
  /** `current_task`: `struct task_struct *`. */
  readonly current_task: number;
  /** `cpu_number`: int. */
  readonly cpu_number: number;
  /** `this_cpu_off`: this CPU's `__per_cpu_offset`. */
  readonly this_cpu_off: number;
  /** `__preempt_count`: int. */
  readonly __preempt_count: number;
  /** `irq_regs`: `struct pt_regs *` of the interrupt being handled. */
  readonly irq_regs: number;
  /** `vector_irq`: `struct irq_desc *[256]`. */
  readonly vector_irq: number;
  /** Bytes per area, page aligned. */
  readonly size: number;
  /** Every symbol, in address order. */
  readonly symbols: readonly PerCpuSymbol[];
  private readonly byName: Map<string, PerCpuSymbol>;

  constructor(extra: readonly PerCpuVariable[] = []) {
    const symbols: PerCpuSymbol[] = [];
    let at = 0;
    const add = (name: string, size: number, align: number): number => {
      at = alignUp(at, align);
      const offset = at;
      symbols.push({ name, offset, size });
      at += size;
      return offset;
    };
    // .data..percpu..page_aligned: struct gdt_page is __aligned(PAGE_SIZE)
    this.cpu_gdt_page = add('cpu_gdt_page', PAGE_SIZE, PAGE_SIZE);
    // .data..percpu..shared_aligned
    this.cpu_tss = add('cpu_tss', TSS_STRUCT_SIZE, 64);
    this.cpu_current_top_of_stack = this.cpu_tss + TSS_sp0;
    // .data..percpu
    this.rsp_scratch = add('rsp_scratch', 8, 8);
    this.current_task = add('current_task', 8, 8);
    this.cpu_number = add('cpu_number', 4, 4);
    this.this_cpu_off = add('this_cpu_off', 8, 8);
    this.__preempt_count = add('__preempt_count', 4, 4);
    this.irq_regs = add('irq_regs', 8, 8);
    this.vector_irq = add('vector_irq', 256 * 8, 8);
    for (const v of extra) add(v.name, v.size, v.align ?? Math.min(8, v.size));
    this.size = alignUp(at, PAGE_SIZE);
    this.symbols = symbols;
    this.byName = new Map(symbols.map((s) => [s.name, s]));
  }

  /** The offset (symbol value) of a per-CPU variable; throws for an unknown name. */
  offsetOf(name: string): number {
    const s = this.byName.get(name);
    if (s === undefined) throw new Error(`no per-CPU variable ${name}`);
    return s.offset;
  }
}

/** Lego's per-CPU layout with no extra variables. */
export const LEGO_PER_CPU_LAYOUT: PerCpuLayout = new PerCpuLayout();
