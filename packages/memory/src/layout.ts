/**
 * The Lego (Linux 4.x x86-64) kernel virtual memory layout, as signed canonical numbers
 * (see address.ts). Values from lego-facts.md "Paging" and arch/x86/include/asm/page_64_types.h,
 * pgtable_64_types.h.
 */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
export const PAGE_MASK = -4096;
/** 2 MiB: a PMD (page-directory) large page. */
export const PMD_SHIFT = 21;
export const PMD_SIZE = 0x200000;
/** 1 GiB: a PUD (page-directory-pointer) huge page. */
export const PUD_SHIFT = 30;
export const PUD_SIZE = 0x40000000;
export const PGDIR_SHIFT = 39;
export const PTRS_PER_TABLE = 512;

/** Physical address bits (`__PHYSICAL_MASK_SHIFT`). */
export const PHYSICAL_MASK_SHIFT = 46;
/** Virtual address bits of the user half (`__VIRTUAL_MASK_SHIFT`). */
export const VIRTUAL_MASK_SHIFT = 47;

/** `TASK_SIZE` = `STACK_TOP` = 0x7ffffffff000: the top user page is a guard for SYSRET safety. */
export const TASK_SIZE = 0x7ffffffff000;
export const STACK_TOP: number = TASK_SIZE;

/** `__PAGE_OFFSET` 0xffff880000000000: the direct map of all physical memory. */
export const PAGE_OFFSET = -0x780000000000;
/** `VMALLOC_START` 0xffffc90000000000. */
export const VMALLOC_START = -0x370000000000;
/** `VMALLOC_END` 0xffffe8ffffffffff (32 TiB of vmalloc space). */
export const VMALLOC_END = -0x170000000001;
/** `VMEMMAP_START` 0xffffea0000000000. */
export const VMEMMAP_START = -0x160000000000;
/** `__START_KERNEL_map` 0xffffffff80000000: kernel text maps physical 0 here. */
export const START_KERNEL_MAP = -0x80000000;
/** `KERNEL_IMAGE_SIZE`: 512 MiB of kernel-text mapping. */
export const KERNEL_IMAGE_SIZE = 0x20000000;
/** `CONFIG_PHYSICAL_START` (Linux default 16 MiB): where the kernel image sits physically. */
export const PHYSICAL_START = 0x1000000;
/** `__START_KERNEL` 0xffffffff81000000 = `__START_KERNEL_map + PHYSICAL_START`. */
export const START_KERNEL: number = START_KERNEL_MAP + PHYSICAL_START;
/** `VSYSCALL_ADDR` 0xffffffffff600000. */
export const VSYSCALL_ADDR = -0xa00000;

/** `THREAD_SIZE`: 64 KiB kernel stacks (order 4). */
export const THREAD_SIZE_ORDER = 4;
export const THREAD_SIZE = 0x10000;

/** `__va(pa)`: the direct-map virtual address of a physical address. */
export function physToVirt(pa: number): number {
  return PAGE_OFFSET + pa;
}

/** `__pa(va)` for a direct-map or kernel-text address; -1 for any other address. */
export function virtToPhys(va: number): number {
  if (va >= START_KERNEL_MAP) return va - START_KERNEL_MAP;
  if (va >= PAGE_OFFSET && va < VMALLOC_START) return va - PAGE_OFFSET;
  return -1;
}
