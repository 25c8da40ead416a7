import type { Handler } from '../cpu.js';
import { installAlu } from './alu.js';
import { installBits } from './bits.js';
import { installControl } from './control.js';
import { installData } from './data.js';
import { installShifts } from './shift.js';
import { installSse } from './sse.js';
import { installStrings } from './string.js';
import { installSystem } from './system.js';

/** The dispatch table: instruction semantics indexed by `Mnemonic`. */
export const handlers: Handler[] = [];

const define = (mnemonic: number | undefined, handler: Handler): void => {
  // a mnemonic the decoder's table does not have yet is simply not executable
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
