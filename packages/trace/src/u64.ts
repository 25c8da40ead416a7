// 64-bit values as pairs of uint32 halves: conversion from what producers pass (number, bigint,
// word arrays) and formatting as lowercase hex. No BigInt on the number path.
import type { Hex, U64In } from './types.js';

const TWO32 = 4294967296;

/** High half of a U64In (two's complement for negative numbers). */
export function hiOf(value: U64In): number {
  if (typeof value === 'number') return Math.floor(value / TWO32) >>> 0;
  return Number(BigInt.asUintN(64, value) >> 32n);
}

/** Low half of a U64In. */
export function loOf(value: U64In): number {
  if (typeof value === 'number') return value >>> 0;
  return Number(BigInt.asUintN(32, value));
}

/** Lowercase 0x hex of the 64-bit value hi:lo, without leading zeros. */
export function hexOfHalves(hi: number, lo: number): Hex {
  if (hi === 0) return `0x${lo.toString(16)}`;
  return `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
}

/** Lowercase 0x hex of a U64In. */
export function hexOf(value: U64In): Hex {
  return hexOfHalves(hiOf(value), loOf(value));
}

/**
 * The value hi:lo as a U64In: a number when it is a safe integer in the signed (sign-extended)
 * reading, such as any canonical address or small negative errno, otherwise a bigint.
 */
export function u64FromHalves(hi: number, lo: number): U64In {
  hi >>>= 0;
  lo >>>= 0;
  if (hi < 0x200000) return hi * TWO32 + lo;
  if (hi >= 0xffe00000) return (hi - TWO32) * TWO32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Parses "0x…" (or decimal) text to a U64In; for tests and tools, not the hot path. */
export function u64FromText(text: string): U64In {
  const v = BigInt.asUintN(64, BigInt(text));
  return u64FromHalves(Number(v >> 32n), Number(v & 0xffffffffn));
}

/** Packs values into the U64Words layout (low half at 2*i, high half at 2*i+1). */
export function u64Words(values: readonly (U64In | string)[]): Uint32Array {
  const words = new Uint32Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const raw = values[i]!;
    const v = typeof raw === 'string' ? u64FromText(raw) : raw;
    words[2 * i] = loOf(v);
    words[2 * i + 1] = hiOf(v);
  }
  return words;
}
