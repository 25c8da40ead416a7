/**
 * Addresses as JS numbers. A canonical x86-64 virtual address is a sign-extended 48-bit
 * value, so it is held exactly as a *signed* number in [-2^47, 2^47): kernel addresses
 * such as 0xffff880000000000 are negative (-0x780000000000). Physical addresses are
 * non-negative numbers below 2^52 (this model uses 46 physical address bits).
 */

/** A virtual (linear) address: a canonical signed number. Documentation alias only. */
export type VirtAddr = number;
/** A physical address: a non-negative number. Documentation alias only. */
export type PhysAddr = number;

const TWO_32 = 4294967296;
const TWO_47 = 140737488355328;
const TWO_48 = 281474976710656;

/**
 * The signed JS number for the 64-bit value `hi:lo` (each an unsigned 32-bit half),
 * e.g. `canonical(0xffff8800, 0)` is PAGE_OFFSET. Exact for canonical addresses.
 */
export function canonical(hi: number, lo: number): number {
  return (hi | 0) * TWO_32 + (lo >>> 0);
}

/** True when `va` is a canonical address in its signed form: -2^47 <= va < 2^47. */
export function isCanonical(va: number): boolean {
  return va >= -TWO_47 && va < TWO_47;
}

/** The low 32 bits of a 64-bit value held as a signed or unsigned number. */
export function lo32(value: number): number {
  return value >>> 0;
}

/** The high 32 bits (unsigned) of a 64-bit value held as a signed number (two's complement). */
export function hi32(value: number): number {
  return Math.floor(value / TWO_32) >>> 0;
}

/** Sign-extends a 48-bit unsigned number (0..2^48-1) to its canonical signed form. */
export function signExtend48(value: number): number {
  return value >= TWO_47 ? value - TWO_48 : value;
}

/** Formats a signed canonical address (or any 64-bit value as two halves) as `0x` + 16 hex digits. */
export function hex64(value: number): string {
  return `0x${hi32(value).toString(16).padStart(8, '0')}${lo32(value).toString(16).padStart(8, '0')}`;
}
