import type { Instruction } from '@legosim/x86';
import type { TranslationBlock } from './translate/block.js';

/**
 * What the CPU has made of one physical page of code: the instructions decoded at each
 * byte offset, and the translation blocks that start there. All of it is valid while the
 * page's write version (`Mmu.pageVersions[pfn]`) equals `version`; a write into the page
 * makes the CPU start a fresh `DecodedPage`, which is how self-modifying code is seen.
 */
export class DecodedPage {
  /** One slot per byte offset; preallocated so the array keeps fast (non-dictionary) elements. */
  readonly slots: (Instruction | undefined)[] = new Array<Instruction | undefined>(4096).fill(undefined);
  /**
   * The translation block starting at each offset: undefined until the offset is hot,
   * null where no block can start (its first instruction is one the interpreter must run).
   */
  readonly blocks: (TranslationBlock | null | undefined)[] = new Array<TranslationBlock | null | undefined>(4096).fill(undefined);
  /** How often execution has reached each offset with no block there (saturates at 255). */
  readonly heat: Uint8Array = new Uint8Array(4096);

  constructor(
    readonly pfn: number,
    readonly version: number,
  ) {}
}
