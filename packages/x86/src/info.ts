import { CODE_NAMES, OP_ACCESS, CPUID_FEATURES, ROW_CPUID, ROW_FLAGS_READ, ROW_FLAGS_UNDEFINED, ROW_FLAGS_WRITTEN } from './generated/info.generated.js';
import { ROW_OPCOUNT } from './generated/decode.generated.js';

/** RFLAGS bit masks used by `InstructionInfo` (SDM Vol. 1, 3.4.3). */
export const enum RflagsBit {
  CF = 1 << 0,
  PF = 1 << 2,
  AF = 1 << 4,
  ZF = 1 << 6,
  SF = 1 << 7,
  TF = 1 << 8,
  IF = 1 << 9,
  DF = 1 << 10,
  OF = 1 << 11,
}

/** Static facts about one table row (`Code`), from the instruction table. */
export interface InstructionInfo {
  /** CPUID feature flag name (SDM spelling, `X86_64` for the base set). */
  readonly cpuid: string;
  /** RFLAGS bits read (`RflagsBit`). */
  readonly flagsRead: number;
  /** RFLAGS bits written: computed, set or cleared. */
  readonly flagsWritten: number;
  /** RFLAGS bits the SDM leaves undefined. */
  readonly flagsUndefined: number;
  /** Per explicit operand: 0 not accessed, 1 read, 2 write, 3 read-write. */
  readonly access: readonly number[];
}

/** Facts about `code`. Allocates; meant for tools and tests, not the decode loop. */
export function instructionInfo(code: number): InstructionInfo {
  const n = ROW_OPCOUNT[code] ?? 0;
  const access: number[] = [];
  for (let k = 0; k < n; k++) access.push(OP_ACCESS[code * 4 + k] ?? 0);
  return {
    cpuid: CPUID_FEATURES[ROW_CPUID[code] ?? 0] ?? 'X86_64',
    flagsRead: ROW_FLAGS_READ[code] ?? 0,
    flagsWritten: ROW_FLAGS_WRITTEN[code] ?? 0,
    flagsUndefined: ROW_FLAGS_UNDEFINED[code] ?? 0,
    access,
  };
}

/** The `Code` member name of `code` (`Add_rm64_r64`), or `INVALID`. */
export function codeName(code: number): string {
  return CODE_NAMES[code] ?? 'INVALID';
}
