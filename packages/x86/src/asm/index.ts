/**
 * `@legosim/x86/asm`: a GNU as compatible (AT&T syntax) x86-64 assembler driven by the same
 * instruction table as the decoder.
 */

export type { AssembledSection, AssembleOptions, AssembleResult, ListingEntry } from './assembler.js';
export { assemble } from './assembler.js';
export { AsmError } from './error.js';
