import { MNEMONIC_NAMES, Mnemonic as M } from '@legosim/x86';
import { Vector } from '../constants.js';
import type { Handler } from '../cpu.js';
import { CpuFault } from '../fault.js';
import { installAlu } from './alu.js';
import { installBits } from './bits.js';
import { installControl } from './control.js';
import { installData } from './data.js';
import { installShifts } from './shift.js';
import { installSse } from './sse.js';
import { installStrings } from './string.js';
import { installSystem } from './system.js';
import { installX87 } from './x87.js';

/** A mnemonic the model has no semantics for is an invalid opcode to the guest (#UD). */
export const notImplemented: Handler = () => {
  throw new CpuFault(Vector.UD, -1);
};

/**
 * The dispatch table: instruction semantics indexed by `Mnemonic`. It is dense (filled
 * with `notImplemented` first) so the per-instruction lookup stays a fast element load.
 */
export const handlers: Handler[] = new Array<Handler>(MNEMONIC_NAMES.length).fill(notImplemented);

/** How a mnemonic may take part in a translation block (see `translate/block.ts`). */
export const enum BlockRole {
  /** Executed only by the interpreter, one instruction at a time: system instructions (CPL, IF, RFLAGS, paging, MSRs, natives, time) and REP string operations (they stop between iterations at the slice's end). */
  Interpret = 0,
  /** Computes on registers, flags and memory and continues at the next instruction. */
  Straight = 1,
  /** Changes RIP (jumps, calls, returns, loops): ends a block. */
  Branch = 2,
}

/** `BlockRole` per mnemonic. */
export const blockRoles: Uint8Array = new Uint8Array(MNEMONIC_NAMES.length);

function defineAs(role: BlockRole): (mnemonic: number | undefined, handler: Handler) => void {
  return (mnemonic, handler) => {
    if (mnemonic === undefined) return;
    handlers[mnemonic] = handler;
    blockRoles[mnemonic] = role;
  };
}

installAlu(defineAs(BlockRole.Straight));
installShifts(defineAs(BlockRole.Straight));
installBits(defineAs(BlockRole.Straight));
installData(defineAs(BlockRole.Straight));
installControl(defineAs(BlockRole.Branch));
installStrings(defineAs(BlockRole.Interpret));
installSystem(defineAs(BlockRole.Interpret));
installSse(defineAs(BlockRole.Straight));
installX87(defineAs(BlockRole.Straight));
// SWAPGS exchanges two base registers the block reads afresh at every access (`c.gsBase`);
// it changes no CPL, IF or translation, and at CPL 3 it faults like any other instruction.
// In a block, the kernel's entry and exit each run as one block around it.
blockRoles[M.Swapgs] = BlockRole.Straight;
