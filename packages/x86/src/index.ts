export { Register, RegisterClass, gprIndex, gprSize } from './register.js';
export { DecodeStatus, Instruction, OpKind, Prefix } from './instruction.js';
export type { InstructionDecoder } from './instruction.js';
export { Decoder } from './decoder.js';
export { Code, CODE_COUNT } from './generated/code.generated.js';
export { Mnemonic, MNEMONIC_NAMES } from './generated/mnemonic.generated.js';
export { codeName, instructionInfo, type InstructionInfo, RflagsBit } from './info.js';
export { type ElfSection, type ElfSymbol, readElfSections, readElfSymbols } from './elf-sections.js';
export { type ElfDynamicReloc, type ElfDynamicSymbol, readElfDynamicRelocs, readElfDynamicSymbols } from './elf-dynamic.js';
