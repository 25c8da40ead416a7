export { Register, RegisterClass, gprIndex, gprSize } from './register.js';
export { DecodeStatus, Instruction, OpKind, Prefix } from './instruction.js';
export type { InstructionDecoder } from './instruction.js';
