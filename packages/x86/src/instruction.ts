import { Register } from './register.js';

/** What an operand slot holds. */
export const enum OpKind {
  None = 0,
  /** `opReg[i]` names the register. */
  Register = 1,
  /** The instruction's memory operand: `memSeg`, `memBase`, `memIndex`, `memScale`, `memDisp`. */
  Memory = 2,
  /**
   * `immLo`/`immHi`: the immediate, already extended to the operand size as the instruction defines.
   * The shift/rotate-by-one forms (D0/D1 /digit) carry an Immediate operand of value 1 with `immSize` 0.
   */
  Immediate = 3,
  /** Second immediate (`enter`'s nesting level, `extrq`): `imm2`. */
  Immediate2 = 4,
  /** rel8/rel16/rel32 branch: the absolute target is `branchTarget`. */
  NearBranch = 5,
  /** Implicit string source `seg:[rsi]` (movs, lods, cmps, outs). */
  MemorySegRsi = 6,
  /** Implicit string destination `es:[rdi]` (movs, stos, cmps, scas, ins). */
  MemoryEsRdi = 7,
}

/** Prefix bits in `Instruction.prefixes`. */
export const enum Prefix {
  Lock = 1 << 0,
  /** F3: rep / repe, when it acts as a repeat prefix (not a mandatory prefix). */
  Rep = 1 << 1,
  /** F2: repne, when it acts as a repeat prefix. */
  Repne = 1 << 2,
  OperandSize = 1 << 3, // 66 present
  AddressSize = 1 << 4, // 67 present
  Rex = 1 << 5,
  RexW = 1 << 6,
  /** A segment override prefix is present (see memSeg). */
  Segment = 1 << 7,
  Notrack = 1 << 8,
  Bnd = 1 << 9,
  Vex = 1 << 10,
  Evex = 1 << 11,
  Xacquire = 1 << 12,
  Xrelease = 1 << 13,
}

/**
 * One decoded instruction. A flat, reusable record: the decoder fills an existing object
 * (no allocation per instruction) and the CPU and the formatters read it.
 *
 * Addresses are JS numbers holding the canonical (sign-extended 48-bit) value, which is exact.
 * 64-bit immediates are split into 32-bit halves (`immLo`, `immHi`, both unsigned).
 */
export class Instruction {
  /** Address of the first byte. */
  ip = 0;
  /** Length in bytes (1..15). */
  length = 0;
  /** Table row (`Code`), the exact form: `Code.Add_rm64_r64`. */
  code = 0;
  /** Mnemonic (`Mnemonic`), shared by all forms of an instruction. */
  mnemonic = 0;
  /** Effective operand size in bytes (1, 2, 4, 8; 16/32/64 for vector forms). */
  operandSize = 4;
  /** Effective address size in bytes (8, or 4 with 0x67). */
  addressSize = 8;
  /** Prefix bits (`Prefix`). */
  prefixes = 0;

  /**
   * Number of operands, in Intel order (destination first). Implicit registers that the SDM's
   * instruction column names are operands too (`ADD AL, imm8`, `SHL r/m32, CL`, `STOSQ m64, RAX`).
   */
  opCount = 0;
  readonly opKind: Uint8Array = new Uint8Array(5);
  readonly opReg: Uint16Array = new Uint16Array(5);
  /** Size in bytes of each operand as accessed (register width, memory access width, immediate size after extension). */
  readonly opSize: Uint8Array = new Uint8Array(5);

  /** Segment of the memory operand: Register.None for the default (DS/SS), or FS/GS/... when overridden. */
  memSeg: Register = Register.None;
  /** Base register (a 64- or 32-bit GPR, or RIP for RIP-relative), or None. */
  memBase: Register = Register.None;
  memIndex: Register = Register.None;
  memScale = 1;
  /** Displacement, sign-extended; for RIP-relative operands it is relative to the next instruction. */
  memDisp = 0;
  /** Size of the displacement field in bytes (0, 1, 4, or 8 for moffs); formatters need it. */
  memDispSize = 0;

  immLo = 0;
  immHi = 0;
  /** Size of the immediate field in the encoding (1, 2, 4, 8). */
  immSize = 0;
  imm2 = 0;
  /** Absolute target of a near branch (rel8/rel32), canonical. */
  branchTarget = 0;

  /** EVEX opmask register (K1..K7) applied to the destination, or Register.None. */
  opMask: Register = Register.None;
  /** EVEX.z: zeroing-masking ({z}) instead of merging. */
  zeroingMasking = false;
  /** EVEX.b with a memory operand: the memory operand is a broadcast element (`{1toN}`); its size is `memBroadcastSize`. */
  memBroadcast = false;
  /** Size in bytes of one broadcast element when `memBroadcast`. */
  memBroadcastSize = 0;
  /** EVEX.b with register operands: rounding control / suppress-all-exceptions. 0 = none, 1 = {sae}, 2..5 = {rn,rd,ru,rz}-sae. */
  evexRounding = 0;

  /** The legacy and REX prefix bytes as encoded, in order (formatters print the unused ones the way objdump does). */
  readonly prefixBytes: Uint8Array = new Uint8Array(15);
  /** How many bytes of `prefixBytes` are valid. */
  prefixCount = 0;
  /** Bit i set when `prefixBytes[i]` had an effect on this instruction (ignored/redundant prefixes have it clear). */
  prefixUsed = 0;
  /** For a REX prefix: which of its W/R/X/B bits (REX layout, 0x8/0x4/0x2/0x1) the instruction consulted. */
  rexUsed = 0;

  /** Address of the next instruction. */
  get nextIp(): number {
    return this.ip + this.length;
  }
}

/** The result of decoding: the record is only valid after `Ok`. */
export const enum DecodeStatus {
  Ok = 0,
  /** The bytes are not a valid instruction (the CPU raises #UD). */
  Invalid = 1,
  /** More bytes are needed than were given (the CPU fetches more, or faults on the next page). */
  NeedMoreBytes = 2,
}

/**
 * The decoder as the CPU consumes it. `@legosim/x86`'s decoder implements it; a second
 * implementation (an adapter over another decoder) can be swapped in.
 */
export interface InstructionDecoder {
  /** Decode one instruction from `bytes[offset .. offset+available)` at address `ip` into `out`. */
  decode(bytes: Uint8Array, offset: number, available: number, ip: number, out: Instruction): DecodeStatus;
}
