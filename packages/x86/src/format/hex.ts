/**
 * Lowercase hex of unsigned integers for the formatters, from two 256-entry tables of byte
 * spellings: faster than `Number.prototype.toString(16)` (a runtime call) for the many
 * displacements, immediates and addresses a listing prints. Same text as `toString(16)`.
 */

/** Hex of 0..255 without leading zeros. */
const HEX1: string[] = [];
/** Hex of 0..255 as two digits. */
const HEX2: string[] = [];
for (let i = 0; i < 256; i++) {
  HEX1.push(i.toString(16));
  HEX2.push(i.toString(16).padStart(2, '0'));
}

/** `v.toString(16)` for an integer 0 <= v < 2^32. */
export function hexU32(v: number): string {
  if (v < 0x100) return HEX1[v] as string;
  if (v < 0x10000) return (HEX1[v >>> 8] as string) + (HEX2[v & 0xff] as string);
  if (v < 0x1000000) return (HEX1[v >>> 16] as string) + (HEX2[(v >>> 8) & 0xff] as string) + (HEX2[v & 0xff] as string);
  return (HEX1[v >>> 24] as string) + (HEX2[(v >>> 16) & 0xff] as string) + (HEX2[(v >>> 8) & 0xff] as string) + (HEX2[v & 0xff] as string);
}

/** `v.toString(16).padStart(8, '0')` for an integer 0 <= v < 2^32. */
export function hexU32Pad8(v: number): string {
  return (HEX2[v >>> 24] as string) + (HEX2[(v >>> 16) & 0xff] as string) + (HEX2[(v >>> 8) & 0xff] as string) + (HEX2[v & 0xff] as string);
}

/** `v.toString(16)` for an integer 0 <= v < 2^53 (a canonical address, a 64-bit half pair's value). */
export function hexUint(v: number): string {
  if (v < 4294967296) return hexU32(v);
  const hi = Math.floor(v / 4294967296);
  return hexU32(hi) + hexU32Pad8(v - hi * 4294967296);
}
