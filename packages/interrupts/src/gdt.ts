/**
 * Lego's GDT (lego-facts.md "Selectors, GDT, MSRs"): 16 entries per CPU, flat segments
 * (base 0, limit 0xfffff), encoded like Linux's `GDT_ENTRY(flags, base, limit)`.
 */

export const GDT_ENTRY_KERNEL32_CS = 1;
export const GDT_ENTRY_KERNEL_CS = 2;
export const GDT_ENTRY_KERNEL_DS = 3;
export const GDT_ENTRY_DEFAULT_USER32_CS = 4;
export const GDT_ENTRY_DEFAULT_USER_DS = 5;
export const GDT_ENTRY_DEFAULT_USER_CS = 6;
export const GDT_ENTRY_TSS = 8;
export const GDT_ENTRY_PER_CPU = 15;

export const KERNEL32_CS = 0x08;
export const KERNEL_CS = 0x10;
export const KERNEL_DS = 0x18;
export const USER32_CS = 0x23;
export const USER_DS = 0x2b;
export const USER_CS = 0x33;
export const TSS_SELECTOR = 0x40;
export const PER_CPU_SELECTOR = 0x7b;

/** Descriptor flags (access byte and G/D/L nibble) of Lego's code and data segments, by GDT index. */
export const LEGO_GDT_FLAGS: readonly (readonly [index: number, flags: number])[] = [
  [GDT_ENTRY_KERNEL32_CS, 0xc09b],
  [GDT_ENTRY_KERNEL_CS, 0xa09b],
  [GDT_ENTRY_KERNEL_DS, 0xc093],
  [GDT_ENTRY_DEFAULT_USER32_CS, 0xc0fb],
  [GDT_ENTRY_DEFAULT_USER_DS, 0xc0f3],
  [GDT_ENTRY_DEFAULT_USER_CS, 0xa0fb],
];

/** Low 32 bits of `GDT_ENTRY(flags, base, limit)` (base is 32-bit here). */
export function gdtEntryLo(base: number, limit: number): number {
  return (((base & 0xffff) << 16) | (limit & 0xffff)) >>> 0;
}

/** High 32 bits of `GDT_ENTRY(flags, base, limit)`. */
export function gdtEntryHi(flags: number, base: number, limit: number): number {
  return (((base >>> 16) & 0xff) | ((flags & 0xf0ff) << 8) | (limit & 0xf0000) | (base & 0xff000000)) >>> 0;
}
