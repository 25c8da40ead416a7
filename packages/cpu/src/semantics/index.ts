import { MNEMONIC_NAMES } from '@legosim/x86';
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

const define = (mnemonic: number | undefined, handler: Handler): void => {
  if (mnemonic !== undefined) handlers[mnemonic] = handler;
};

installAlu(define);
installShifts(define);
installBits(define);
installData(define);
installControl(define);
installStrings(define);
installSystem(define);
installSse(define);
installX87(define);
