/**
 * An `InstructionDecoder` built on iced-x86 (a Rust decoder compiled to wasm), filling
 * `@legosim/x86`'s `Instruction` record with the conventions of our own decoder. It exists
 * to show that the CPU consumes the decoder as a swappable component, and to give the
 * differential tests a second implementation of the same interface.
 *
 * What it maps: ip, length, code (by name, case-insensitive; 0 when our table has no row of
 * that name), mnemonic (by name), operandSize, addressSize, prefixes (Lock, Rep, Repne,
 * Xacquire, Xrelease from iced; OperandSize, AddressSize, Rex, RexW, Segment from the
 * prefix bytes), prefixBytes/prefixCount, opCount, opKind/opReg/opSize, the memory operand
 * (RIP-relative displacements relative to the next instruction, as ours), immediates
 * extended to the operand size, imm2, branchTarget, opmask and {z}. Not mapped:
 * `prefixUsed`/`rexUsed` (formatter bookkeeping, left 0), EVEX rounding/broadcast details.
 */
import {
  Code as IcedCode,
  Decoder as IcedWasmDecoder,
  DecoderError,
  DecoderOptions,
  Instruction as IcedInstruction,
  Mnemonic as IcedMnemonic,
  MemorySizeExt,
  OpCodeOperandKind,
  OpKind as IcedOpKind,
  Register as IcedRegister,
} from 'iced-x86';
import {
  CODE_COUNT,
  codeName,
  DecodeStatus,
  type Instruction,
  type InstructionDecoder,
  MNEMONIC_NAMES,
  OpKind,
  Prefix,
  Register,
} from '@legosim/x86';

const TWO32 = 4294967296;

function enumNames(e: object): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k, v] of Object.entries(e)) if (typeof v === 'number') m.set(k.toLowerCase(), v);
  return m;
}

/** iced Register -> our Register (None for registers we do not model: BND, TMM, TR1..7). */
const REGISTER_MAP: Uint16Array = (() => {
  const map = new Uint16Array(512);
  const ranges: [number, number, number][] = [
    // [iced first, ours first, count]
    [IcedRegister.AL, Register.AL, 4],
    [IcedRegister.AH, Register.AH, 4],
    [IcedRegister.SPL, Register.SPL, 12], // SPL..DIL, R8L..R15L
    [IcedRegister.AX, Register.AX, 48], // AX..R15W, EAX..R15D, RAX..R15
    [IcedRegister.ES, Register.ES, 6],
    [IcedRegister.XMM0, Register.XMM0, 32],
    [IcedRegister.YMM0, Register.YMM0, 32],
    [IcedRegister.ZMM0, Register.ZMM0, 32],
    [IcedRegister.K0, Register.K0, 8],
    [IcedRegister.CR0, Register.CR0, 16],
    [IcedRegister.DR0, Register.DR0, 16],
    [IcedRegister.ST0, Register.ST0, 8],
    [IcedRegister.MM0, Register.MM0, 8],
  ];
  for (const [from, to, n] of ranges) for (let i = 0; i < n; i++) map[from + i] = to + i;
  map[IcedRegister.RIP] = Register.RIP;
  map[IcedRegister.EIP] = Register.EIP;
  map[IcedRegister.TR0] = Register.TR;
  return map;
})();

/** iced Mnemonic -> ours, by name. */
const MNEMONIC_MAP: Uint16Array = (() => {
  const ours = new Map<string, number>();
  for (const [i, n] of MNEMONIC_NAMES.entries()) ours.set(n.toLowerCase(), i);
  const names = enumNames(IcedMnemonic);
  const map = new Uint16Array(Math.max(...names.values()) + 1);
  // iced gives the 64-bit forms their own mnemonic (iretq, sysretq, retfq); ours names the instruction once
  for (const [n, v] of names) map[v] = ours.get(n) ?? (/[qd]$/.test(n) ? ours.get(n.slice(0, -1)) : undefined) ?? 0;
  // iced spells fwait `wait`
  map[IcedMnemonic.Wait] = ours.get('fwait') ?? 0;
  return map;
})();

/** iced Code -> our Code, by name (case-insensitive); 0 where our table has no row of that name. */
const CODE_MAP: Uint16Array = (() => {
  const ours = new Map<string, number>();
  for (let c = 1; c < CODE_COUNT; c++) ours.set(codeName(c).toLowerCase(), c);
  const names = enumNames(IcedCode);
  const map = new Uint16Array(Math.max(...names.values()) + 1);
  for (const [n, v] of names) map[v] = ours.get(n) ?? 0;
  return map;
})();

/**
 * Per iced Code, computed on first use from iced's OpCodeInfo: [0] the row's operand size in
 * bytes + 1 (1: the row does not depend on it; 0: not computed yet), then per operand the
 * register width our decoder counts towards `operandSize` (see `operandSizeOf`), or
 * ROW_ONE for the shift-by-one constant, ROW_MOFFS for a moffs operand, ROW_REG_ONLY.
 */
const ROW_INFO = new Uint8Array(CODE_MAP.length * 6);
const ROW_ONE = 0xfe;
const ROW_MOFFS = 0xfd;
/** An mm/k register-or-memory operand: counts only in its register form. */
const ROW_REG_ONLY = 0xff;
/** Register widths of iced's OpCodeOperandKind values that our decoder counts towards the operand size. */
const OPERAND_KIND_SIZE: Uint8Array = (() => {
  const m = new Uint8Array(256);
  const set = (size: number, ...kinds: OpCodeOperandKind[]): void => {
    for (const k of kinds) m[k] = size;
  };
  const K = OpCodeOperandKind;
  set(1, K.r8_or_mem, K.r8_reg, K.r8_opcode, K.al, K.cl);
  set(2, K.r16_or_mem, K.r16_reg, K.r16_reg_mem, K.r16_rm, K.r16_opcode, K.ax, K.dx);
  set(4, K.r32_or_mem, K.r32_or_mem_mpx, K.r32_reg, K.r32_reg_mem, K.r32_rm, K.r32_opcode, K.r32_vvvv, K.eax);
  set(8, K.r64_or_mem, K.r64_or_mem_mpx, K.r64_reg, K.r64_reg_mem, K.r64_rm, K.r64_opcode, K.r64_vvvv, K.rax);
  set(8, K.mm_reg, K.mm_rm, K.k_reg, K.kp1_reg, K.k_rm, K.k_vvvv);
  set(16, K.xmm_or_mem, K.xmm_reg, K.xmm_rm, K.xmm_vvvv, K.xmmp3_vvvv, K.xmm_is4, K.xmm_is5);
  set(32, K.ymm_or_mem, K.ymm_reg, K.ymm_rm, K.ymm_vvvv, K.ymm_is4, K.ymm_is5);
  set(64, K.zmm_or_mem, K.zmm_reg, K.zmm_rm, K.zmm_vvvv, K.zmmp3_vvvv);
  // mm/k register-or-memory forms count only as registers: marked 0xff, resolved per instruction
  set(ROW_REG_ONLY, K.mm_or_mem, K.k_or_mem);
  return m;
})();

function rowInfo(ins: IcedInstruction): number {
  const code = ins.code;
  const at = code * 6;
  if (ROW_INFO[at] === 0) {
    const op = ins.opCode;
    ROW_INFO[at] = op.operandSize / 8 + 1;
    for (let k = 0; k < op.opCount && k < 5; k++) {
      const kind = op.opKind(k);
      let v = OPERAND_KIND_SIZE[kind] ?? 0;
      if (kind === OpCodeOperandKind.imm8_const_1) v = ROW_ONE;
      else if (kind === OpCodeOperandKind.mem_offs) v = ROW_MOFFS;
      ROW_INFO[at + 1 + k] = v;
    }
    op.free();
  }
  return at;
}

function registerSize(reg: number): number {
  if (reg >= Register.ST0 && reg <= Register.ST0 + 7) return 10;
  if (reg >= Register.ES && reg <= Register.GS) return 2;
  if (reg >= Register.CR0 && reg < Register.XMM0) return 8;
  if (reg >= Register.XMM0 && reg < Register.YMM0) return 16;
  if (reg >= Register.YMM0 && reg < Register.ZMM0) return 32;
  if (reg >= Register.ZMM0 && reg < Register.K0) return 64;
  if (reg >= Register.K0 && reg < Register.ST0) return 8;
  if (reg >= Register.AL && reg <= Register.BH) return 1;
  if (reg >= Register.AX && reg <= Register.R15W) return 2;
  if (reg >= Register.EAX && reg <= Register.R15D) return 4;
  if (reg >= Register.RAX && reg <= Register.R15) return 8;
  return 0;
}

/**
 * `InstructionDecoder` over iced-x86 in 64-bit mode with default options. Each call decodes
 * from a fresh iced decoder over the given bytes (iced's decoder owns a copy of its input),
 * so it is correct for the CPU's reused fetch buffer, and slow: it is a test component.
 */
export class IcedDecoder implements InstructionDecoder {
  private readonly instr = new IcedInstruction();

  decode(bytes: Uint8Array, offset: number, available: number, ip: number, out: Instruction): DecodeStatus {
    const avail = Math.min(available, bytes.length - offset, 15);
    if (avail <= 0) return DecodeStatus.NeedMoreBytes;
    const decoder = new IcedWasmDecoder(64, bytes.subarray(offset, offset + avail), DecoderOptions.None);
    const ins = this.instr;
    let error: DecoderError;
    try {
      decoder.ip = BigInt(ip);
      decoder.decodeOut(ins);
      error = decoder.lastError;
    } finally {
      decoder.free();
    }
    if (error === DecoderError.NoMoreBytes) {
      // iced also says NoMoreBytes for some invalid encodings cut short; with 15 bytes given it is final
      return avail < 15 ? DecodeStatus.NeedMoreBytes : DecodeStatus.Invalid;
    }
    if (error !== DecoderError.None) return DecodeStatus.Invalid;
    fillFromIced(ins, bytes, offset, ip, out);
    return DecodeStatus.Ok;
  }
}

/** Fills `out` from a decoded iced instruction; `bytes[offset..]` are its bytes (for the prefix bytes). */
export function fillFromIced(ins: IcedInstruction, bytes: Uint8Array, offset: number, ip: number, out: Instruction): void {
  const length = ins.length;
  const icedCode = ins.code;
  out.ip = ip;
  out.length = length;
  out.code = CODE_MAP[icedCode] ?? 0;
  out.mnemonic = MNEMONIC_MAP[ins.mnemonic] ?? 0;

  // --- prefix bytes: legacy prefixes and REX, as encoded
  let np = 0;
  let has66 = false;
  let has67 = false;
  let rex = 0;
  let segment = false;
  const pb = out.prefixBytes;
  for (let p = offset; np < length; p++) {
    const b = bytes[p] as number;
    if (b >= 0x40 && b <= 0x4f) {
      rex = b;
    } else if (b === 0x66) {
      has66 = true;
      rex = 0;
    } else if (b === 0x67) {
      has67 = true;
      rex = 0;
    } else if (b === 0xf0 || b === 0xf2 || b === 0xf3) {
      rex = 0;
    } else if (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e || b === 0x64 || b === 0x65) {
      segment = true;
      rex = 0;
    } else {
      break;
    }
    pb[np++] = b;
  }
  out.prefixCount = np;
  out.prefixUsed = 0;
  out.rexUsed = 0;
  let pfx = 0;
  if (ins.hasLockPrefix) pfx |= Prefix.Lock;
  if (ins.hasXacquirePrefix) pfx |= Prefix.Xacquire;
  else if (ins.hasRepnePrefix) pfx |= Prefix.Repne;
  if (ins.hasXreleasePrefix) pfx |= Prefix.Xrelease;
  if (ins.hasRepePrefix && !(ins.hasXreleasePrefix && ins.hasLockPrefix)) pfx |= Prefix.Rep;
  if (has66) pfx |= Prefix.OperandSize;
  if (has67) pfx |= Prefix.AddressSize;
  if (rex !== 0) pfx |= (rex & 8) !== 0 ? Prefix.Rex | Prefix.RexW : Prefix.Rex;
  if (segment) pfx |= Prefix.Segment;
  out.prefixes = pfx;
  out.addressSize = has67 ? 4 : 8;

  // --- operands
  const count = ins.opCount;
  out.opCount = count;
  out.memSeg = Register.None;
  out.memBase = Register.None;
  out.memIndex = Register.None;
  out.memScale = 1;
  out.memDisp = 0;
  out.memDispSize = 0;
  out.immLo = 0;
  out.immHi = 0;
  out.immSize = 0;
  out.imm2 = 0;
  out.branchTarget = 0;
  out.opMask = REGISTER_MAP[ins.opMask] ?? Register.None;
  out.zeroingMasking = ins.zeroingMasking;
  out.memBroadcast = ins.isBroadcast;
  out.memBroadcastSize = 0;
  out.evexRounding = 0;
  const kinds = out.opKind;
  const regs = out.opReg;
  const sizes = out.opSize;
  kinds.fill(0);
  regs.fill(0);
  sizes.fill(0);
  const info = rowInfo(ins);
  // our decoder's operand size: the first GPR/vector/mmx/k register operand's width, or r/m operand's register width
  let firstSize = 0;
  let memIndex = -1;
  for (let k = 0; k < count; k++) {
    const kind = ins.opKind(k);
    switch (kind) {
      case IcedOpKind.Register: {
        const reg = REGISTER_MAP[ins.opRegister(k)] ?? 0;
        kinds[k] = OpKind.Register;
        regs[k] = reg;
        const size = registerSize(reg);
        sizes[k] = size;
        if (firstSize === 0) {
          const w = ROW_INFO[info + 1 + k] as number;
          if (w === ROW_REG_ONLY) firstSize = size;
          else if (w <= 64) firstSize = w;
        }
        break;
      }
      case IcedOpKind.NearBranch16:
      case IcedOpKind.NearBranch32:
      case IcedOpKind.NearBranch64:
        kinds[k] = OpKind.NearBranch;
        sizes[k] = 8;
        out.branchTarget = Number(BigInt.asIntN(64, ins.nearBranchTarget));
        break;
      case IcedOpKind.Immediate8_2nd:
        kinds[k] = OpKind.Immediate2;
        sizes[k] = 1;
        out.imm2 = ins.immediate8_2nd;
        break;
      case IcedOpKind.Immediate8:
      case IcedOpKind.Immediate16:
      case IcedOpKind.Immediate32:
      case IcedOpKind.Immediate64:
      case IcedOpKind.Immediate8to16:
      case IcedOpKind.Immediate8to32:
      case IcedOpKind.Immediate8to64:
      case IcedOpKind.Immediate32to64: {
        kinds[k] = OpKind.Immediate;
        if (ROW_INFO[info + 1 + k] === ROW_ONE) {
          sizes[k] = 1;
          out.immLo = 1;
          break;
        }
        const v = BigInt.asUintN(64, ins.immediate(k));
        const lo = Number(v & 0xffffffffn);
        const hi = Number(v >> 32n);
        let size: number;
        let encoded: number;
        switch (kind) {
          case IcedOpKind.Immediate8: size = 1; encoded = 1; break;
          case IcedOpKind.Immediate16: size = 2; encoded = 2; break;
          case IcedOpKind.Immediate32: size = 4; encoded = 4; break;
          case IcedOpKind.Immediate8to16: size = 2; encoded = 1; break;
          case IcedOpKind.Immediate8to32: size = 4; encoded = 1; break;
          case IcedOpKind.Immediate8to64: size = 8; encoded = 1; break;
          case IcedOpKind.Immediate32to64: size = 8; encoded = 4; break;
          default: size = 8; encoded = 8; break;
        }
        sizes[k] = size;
        out.immSize = encoded;
        out.immLo = size === 1 ? lo & 0xff : size === 2 ? lo & 0xffff : lo;
        out.immHi = size === 8 ? hi : 0;
        break;
      }
      case IcedOpKind.MemorySegSI:
      case IcedOpKind.MemorySegESI:
      case IcedOpKind.MemorySegRSI:
        kinds[k] = OpKind.MemorySegRsi;
        sizes[k] = MemorySizeExt.size(ins.memorySize);
        break;
      case IcedOpKind.MemorySegDI:
      case IcedOpKind.MemorySegEDI:
      case IcedOpKind.MemorySegRDI:
        // maskmovq/maskmovdqu's implicit ds:[rdi]: ours has no such kind; report it as a memory operand
        kinds[k] = OpKind.Memory;
        sizes[k] = MemorySizeExt.size(ins.memorySize);
        memIndex = k;
        break;
      case IcedOpKind.MemoryESDI:
      case IcedOpKind.MemoryESEDI:
      case IcedOpKind.MemoryESRDI:
        kinds[k] = OpKind.MemoryEsRdi;
        sizes[k] = MemorySizeExt.size(ins.memorySize);
        break;
      case IcedOpKind.Memory: {
        kinds[k] = OpKind.Memory;
        sizes[k] = MemorySizeExt.size(ins.memorySize);
        memIndex = k;
        const w = ROW_INFO[info + 1 + k] as number;
        if (firstSize === 0 && w <= 64) firstSize = w;
        break;
      }
      default:
        // far branches (not valid in 64-bit mode) and anything else iced may add
        kinds[k] = OpKind.None;
        break;
    }
  }

  if (memIndex >= 0 && kinds[memIndex] === OpKind.Memory && ins.opKind(memIndex) === IcedOpKind.Memory) {
    const base = ins.memoryBase;
    const index = ins.memoryIndex;
    out.memBase = REGISTER_MAP[base] ?? Register.None;
    out.memIndex = REGISTER_MAP[index] ?? Register.None;
    out.memScale = ins.memoryIndexScale;
    const displSize = ins.memoryDisplSize;
    const disp = ins.memoryDisplacement;
    if (base === IcedRegister.RIP || base === IcedRegister.EIP) {
      const rel = BigInt.asIntN(64, disp - BigInt(ip + length));
      out.memDisp = base === IcedRegister.EIP ? Number(BigInt.asIntN(32, rel)) : Number(rel);
      out.memDispSize = 4;
    } else if (ROW_INFO[info + 1 + memIndex] === ROW_MOFFS) {
      // moffs (movabs): the 64-bit address, also as the immediate halves
      const u = BigInt.asUintN(64, disp);
      out.immLo = Number(u & 0xffffffffn);
      out.immHi = Number(u >> 32n);
      out.memDisp = (out.immHi | 0) * TWO32 + out.immLo;
      out.memDispSize = 8;
    } else {
      out.memDisp = has67 ? Number(BigInt.asIntN(32, disp)) : Number(BigInt.asIntN(64, disp));
      out.memDispSize = displSize;
    }
  }
  if (memIndex >= 0) {
    const seg = ins.segmentPrefix;
    if (seg === IcedRegister.FS || seg === IcedRegister.GS) out.memSeg = REGISTER_MAP[seg] ?? Register.None;
  }

  // FXCH ST(i): the SDM (and our table) name one operand; iced lists the implicit ST(0) first.
  if (icedCode === IcedCode.Fxch_st0_sti) {
    kinds[0] = kinds[1] as number;
    regs[0] = regs[1] as number;
    sizes[0] = sizes[1] as number;
    kinds[1] = OpKind.None;
    regs[1] = 0;
    sizes[1] = 0;
    out.opCount = 1;
  }

  // --- operand size: the row's when it depends on one, else the first counted operand's width
  let operandSize = (ROW_INFO[info] as number) - 1;
  if (operandSize === 0) operandSize = firstSize;
  if (operandSize === 0) operandSize = (rex & 8) !== 0 ? 8 : has66 ? 2 : 4;
  out.operandSize = operandSize;
}
