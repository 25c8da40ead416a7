// The object form of a pt_regs field: 21 hex strings named as in struct pt_regs.
import type { Hex, PtRegsHex } from './types.js';

function reg(words: ArrayLike<number>, at: number, hex: (hi: number, lo: number) => Hex): Hex {
  return hex((words[at + 1] ?? 0) >>> 0, (words[at] ?? 0) >>> 0);
}

/**
 * `{ r15, r14, …, ss }` with register k's text from `hex(words, start + 2k)` (words in the
 * U64Words layout: low half first). Written as one object literal on purpose: V8 gives a
 * literal's 21 properties a fixed shape, while adding them one by one under computed names
 * passes its limit for fast properties and leaves every decoded pt_regs a slow, several times
 * larger dictionary. The key order is PT_REGS_FIELDS' (a test holds the two together).
 */
export function ptRegsObject(
  words: ArrayLike<number>,
  start: number,
  hex: (hi: number, lo: number) => Hex,
): PtRegsHex {
  return {
    r15: reg(words, start, hex),
    r14: reg(words, start + 2, hex),
    r13: reg(words, start + 4, hex),
    r12: reg(words, start + 6, hex),
    bp: reg(words, start + 8, hex),
    bx: reg(words, start + 10, hex),
    r11: reg(words, start + 12, hex),
    r10: reg(words, start + 14, hex),
    r9: reg(words, start + 16, hex),
    r8: reg(words, start + 18, hex),
    ax: reg(words, start + 20, hex),
    cx: reg(words, start + 22, hex),
    dx: reg(words, start + 24, hex),
    si: reg(words, start + 26, hex),
    di: reg(words, start + 28, hex),
    orig_ax: reg(words, start + 30, hex),
    ip: reg(words, start + 32, hex),
    cs: reg(words, start + 34, hex),
    flags: reg(words, start + 36, hex),
    sp: reg(words, start + 38, hex),
    ss: reg(words, start + 40, hex),
  };
}
