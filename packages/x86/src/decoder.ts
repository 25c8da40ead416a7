import * as tables from './generated/decode.generated.js';
import { Mnemonic } from './generated/mnemonic.generated.js';
import { DecodeStatus, type Instruction, type InstructionDecoder, OpKind, Prefix } from './instruction.js';
import { MandatoryPrefix, OpClass, OpEnc, OpMap, OsMode, RowFlag } from './operand.js';
import { Register } from './register.js';

// Module-level bindings of the tables: in dev transforms (vite, tsx) an imported binding can be a
// getter on a namespace object, too slow to touch several times per decoded instruction.
const OP_BCST = tables.OP_BCST;
const OP_CLASS = tables.OP_CLASS;
const OP_ENC = tables.OP_ENC;
const OP_FIXED = tables.OP_FIXED;
const OP_MEMSIZE = tables.OP_MEMSIZE;
const OP_REGSIZE = tables.OP_REGSIZE;
const ROW_ASZ = tables.ROW_ASZ;
const ROW_FIXED_MODRM = tables.ROW_FIXED_MODRM;
const ROW_FLAGS = tables.ROW_FLAGS;
const ROW_MNEMONIC = tables.ROW_MNEMONIC;
const ROW_MOD = tables.ROW_MOD;
const ROW_OPCOUNT = tables.ROW_OPCOUNT;
const ROW_OSMODE = tables.ROW_OSMODE;
const ROW_OSZ = tables.ROW_OSZ;
const ROW_PFX = tables.ROW_PFX;
const ROW_REG = tables.ROW_REG;
const ROW_VL = tables.ROW_VL;
const ROW_W = tables.ROW_W;
const SLOT_MODRM = tables.SLOT_MODRM;
const SLOT_ROWS = tables.SLOT_ROWS;
const SLOT_START = tables.SLOT_START;

// Enum members as module-level constants: dev transforms (vite, tsx) compile each file alone and
// cannot inline another file's const enum, so `OpClass.Gpr` would be an import lookup per use.
const DecodeStatus_Invalid = DecodeStatus.Invalid;
const DecodeStatus_NeedMoreBytes = DecodeStatus.NeedMoreBytes;
const Register_None = Register.None;
const Register_ES = Register.ES;
const Register_CS = Register.CS;
const Register_SS = Register.SS;
const Register_DS = Register.DS;
const Register_FS = Register.FS;
const Register_GS = Register.GS;
const OpMap_Legacy = OpMap.Legacy;
const OpMap_M0F38 = OpMap.M0F38;
const OpMap_M0F3A = OpMap.M0F3A;
const OpMap_M0F = OpMap.M0F;
const OpMap_Vex0F = OpMap.Vex0F;
const OpMap_Evex0F = OpMap.Evex0F;
const MandatoryPrefix_None = MandatoryPrefix.None;
const MandatoryPrefix_P66 = MandatoryPrefix.P66;
const MandatoryPrefix_PF3 = MandatoryPrefix.PF3;
const MandatoryPrefix_PF2 = MandatoryPrefix.PF2;
const MandatoryPrefix_Any = MandatoryPrefix.Any;
const OsMode_Force64 = OsMode.Force64;
const OsMode_Default64 = OsMode.Default64;
const Mnemonic_Nop = Mnemonic.Nop;
const RowFlag_Lock = RowFlag.Lock;
const RowFlag_Vsib = RowFlag.Vsib;
const RowFlag_MemFixed = RowFlag.MemFixed;
const OpClass_Sreg = OpClass.Sreg;
const Prefix_OperandSize = Prefix.OperandSize;
const Prefix_AddressSize = Prefix.AddressSize;
const Prefix_Lock = Prefix.Lock;
const RowFlag_Xrelease = RowFlag.Xrelease;
const Prefix_Xrelease = Prefix.Xrelease;
const Prefix_Rep = Prefix.Rep;
const RowFlag_Bnd = RowFlag.Bnd;
const Prefix_Bnd = Prefix.Bnd;
const RowFlag_Xacquire = RowFlag.Xacquire;
const Prefix_Xacquire = Prefix.Xacquire;
const Prefix_Repne = Prefix.Repne;
const Prefix_Rex = Prefix.Rex;
const Prefix_RexW = Prefix.RexW;
const Prefix_Vex = Prefix.Vex;
const Prefix_Evex = Prefix.Evex;
const Prefix_Segment = Prefix.Segment;
const RowFlag_Notrack = RowFlag.Notrack;
const Prefix_Notrack = Prefix.Notrack;
const OpKind_None = OpKind.None;
const OpEnc_Reg = OpEnc.Reg;
const OpEnc_Rm = OpEnc.Rm;
const OpEnc_Vvvv = OpEnc.Vvvv;
const RowFlag_EvexK = RowFlag.EvexK;
const RowFlag_EvexZ = RowFlag.EvexZ;
const RowFlag_EvexBcst = RowFlag.EvexBcst;
const OpEnc_Opcode = OpEnc.Opcode;
const OpEnc_Is4 = OpEnc.Is4;
const OpKind_Register = OpKind.Register;
const OpClass_Gpr = OpClass.Gpr;
const OpClass_GprOrMem = OpClass.GprOrMem;
const OpKind_Memory = OpKind.Memory;
const Register_AL = Register.AL;
const Register_AH = Register.AH;
const Register_AX = Register.AX;
const Register_EAX = Register.EAX;
const Register_RAX = Register.RAX;
const OpClass_Mem = OpClass.Mem;
const OpClass_Xmm = OpClass.Xmm;
const OpClass_XmmOrMem = OpClass.XmmOrMem;
const OpClass_Ymm = OpClass.Ymm;
const OpClass_YmmOrMem = OpClass.YmmOrMem;
const OpClass_Zmm = OpClass.Zmm;
const OpClass_ZmmOrMem = OpClass.ZmmOrMem;
const Register_XMM0 = Register.XMM0;
const Register_YMM0 = Register.YMM0;
const Register_ZMM0 = Register.ZMM0;
const OpClass_Mmx = OpClass.Mmx;
const OpClass_MmxOrMem = OpClass.MmxOrMem;
const OpClass_Kreg = OpClass.Kreg;
const OpClass_KregOrMem = OpClass.KregOrMem;
const Register_MM0 = Register.MM0;
const Register_K0 = Register.K0;
const OpClass_Creg = OpClass.Creg;
const Register_CR0 = Register.CR0;
const OpClass_Dreg = OpClass.Dreg;
const Register_DR0 = Register.DR0;
const OpClass_St = OpClass.St;
const Register_ST0 = Register.ST0;
const OpClass_Fixed = OpClass.Fixed;
const OpClass_One = OpClass.One;
const OpKind_Immediate = OpKind.Immediate;
const OpClass_Imm = OpClass.Imm;
const OpClass_Imm2 = OpClass.Imm2;
const OpKind_Immediate2 = OpKind.Immediate2;
const OpClass_Rel = OpClass.Rel;
const OpKind_NearBranch = OpKind.NearBranch;
const OpClass_Moffs = OpClass.Moffs;
const OpClass_StrSrc = OpClass.StrSrc;
const OpKind_MemorySegRsi = OpKind.MemorySegRsi;
const OpClass_StrDst = OpClass.StrDst;
const OpKind_MemoryEsRdi = OpKind.MemoryEsRdi;
const Register_RIP = Register.RIP;
const Register_EIP = Register.EIP;
const RowFlag_Rep = RowFlag.Rep;
const RowFlag_Repe = RowFlag.Repe;
const RowFlag_SignExtImm = RowFlag.SignExtImm;
const Register_SPL = Register.SPL;
const Register_DIL = Register.DIL;
const RowFlag_EvexSae = RowFlag.EvexSae;
const RowFlag_EvexEr = RowFlag.EvexEr;
const RowFlag_EvexT1s = RowFlag.EvexT1s;
const DecodeStatus_Ok = DecodeStatus.Ok;

/** The architectural limit: a longer instruction raises #GP; the decoder reports it as Invalid. */
const MAX_LENGTH = 15;

/** REX bit masks in the REX byte's own layout (also used for `Instruction.rexUsed`). */
const REX_W = 8;
const REX_R = 4;
const REX_X = 2;
const REX_B = 1;

/**
 * x86-64 (64-bit mode) decoder driven by the generated tables. Decoding reads the bytes
 * once, with integer switches and typed-array lookups: no strings, no allocation, no BigInt.
 */
export class Decoder implements InstructionDecoder {
  decode(bytes: Uint8Array, offset: number, available: number, ip: number, out: Instruction): DecodeStatus {
    const start = offset;
    const avail = Math.min(available, bytes.length - offset);
    // Bytes past `lim` are either not given (NeedMoreBytes) or beyond the 15-byte limit (Invalid).
    const lim = start + Math.min(avail, MAX_LENGTH);
    const shortStatus = avail >= MAX_LENGTH ? DecodeStatus_Invalid : DecodeStatus_NeedMoreBytes;
    let p = start;

    out.ip = ip;
    out.prefixes = 0;
    out.prefixCount = 0;
    out.prefixUsed = 0;
    out.rexUsed = 0;
    out.memSeg = Register_None;
    out.memBase = Register_None;
    out.memIndex = Register_None;
    out.memScale = 1;
    out.memDisp = 0;
    out.memDispSize = 0;
    out.immLo = 0;
    out.immHi = 0;
    out.immSize = 0;
    out.imm2 = 0;
    out.branchTarget = 0;
    out.opMask = Register_None;
    out.zeroingMasking = false;
    out.memBroadcast = false;
    out.memBroadcastSize = 0;
    out.evexRounding = 0;

    // --- legacy prefixes and REX. A REX byte followed by another prefix is ignored (REX must be last).
    let has66 = false;
    let last66 = -1;
    let has67 = false;
    let last67 = -1;
    let lock = false;
    let lastF2F3 = 0;
    let lastF2F3Pos = -1;
    let seg = Register_None;
    let segByte = 0;
    let segPos = -1;
    let rex = 0;
    let rexPos = -1;
    let b = 0;
    const pbytes = out.prefixBytes;
    let np = 0;
    for (;;) {
      if (p >= lim) return shortStatus;
      b = bytes[p] as number;
      if (b >= 0x40 && b <= 0x4f) {
        rex = b;
        rexPos = np;
        pbytes[np++] = b;
        p++;
        continue;
      }
      let isPrefix = true;
      switch (b) {
        case 0x66: has66 = true; last66 = np; break;
        case 0x67: has67 = true; last67 = np; break;
        case 0xf0: lock = true; break;
        case 0xf2: case 0xf3: lastF2F3 = b; lastF2F3Pos = np; break;
        case 0x26: seg = Register_ES; segByte = b; segPos = np; break;
        case 0x2e: seg = Register_CS; segByte = b; segPos = np; break;
        case 0x36: seg = Register_SS; segByte = b; segPos = np; break;
        case 0x3e: seg = Register_DS; segByte = b; segPos = np; break;
        case 0x64: seg = Register_FS; segByte = b; segPos = np; break;
        case 0x65: seg = Register_GS; segByte = b; segPos = np; break;
        default: isPrefix = false;
      }
      if (!isPrefix) break;
      rex = 0; // a REX before a legacy prefix has no effect
      rexPos = -1;
      pbytes[np++] = b;
      p++;
    }
    out.prefixCount = np;

    const addr64 = !has67;
    out.addressSize = addr64 ? 8 : 4;

    // --- opcode map, VEX / EVEX
    let map: number = OpMap_Legacy;
    let vex = 0; // 0 legacy, 1 VEX, 2 EVEX
    let rR = 0; // REX.R / VEX.R as 8
    let rX = 0;
    let rB = 0;
    let rW = 0;
    let rR2 = 0; // EVEX.R' as 16
    let vvvv = 0;
    let vl = 0;
    let pp = 0;
    let evexZ = false;
    let evexB = false;
    let evexAaa = 0;
    if (rex !== 0) {
      rW = rex & REX_W;
      rR = (rex & REX_R) << 1;
      rX = (rex & REX_X) << 2;
      rB = (rex & REX_B) << 3;
    }
    b = bytes[p] as number;
    p++;
    if (b === 0x0f) {
      if (p >= lim) return shortStatus;
      b = bytes[p++] as number;
      if (b === 0x38 || b === 0x3a) {
        map = b === 0x38 ? OpMap_M0F38 : OpMap_M0F3A;
        if (p >= lim) return shortStatus;
        b = bytes[p++] as number;
      } else {
        map = OpMap_M0F;
      }
    } else if (b === 0xc5 || b === 0xc4) {
      // VEX: 66/F2/F3/F0/REX before it are #UD.
      if (rex !== 0 || has66 || lock || lastF2F3 !== 0) return DecodeStatus_Invalid;
      vex = 1;
      if (p >= lim) return shortStatus;
      const v1 = bytes[p++] as number;
      let v2: number;
      if (b === 0xc5) {
        v2 = v1;
        rR = (~v1 >> 4) & 8;
        map = OpMap_Vex0F;
      } else {
        if (p >= lim) return shortStatus;
        v2 = bytes[p++] as number;
        rR = (~v1 >> 4) & 8;
        rX = (~v1 >> 3) & 8;
        rB = (~v1 >> 2) & 8;
        const mm = v1 & 0x1f;
        if (mm < 1 || mm > 3) return DecodeStatus_Invalid;
        map = OpMap_Vex0F - 1 + mm;
        rW = v2 & 0x80 ? REX_W : 0;
      }
      vvvv = (~v2 >> 3) & 15;
      vl = (v2 >> 2) & 1;
      pp = v2 & 3;
      if (p >= lim) return shortStatus;
      b = bytes[p++] as number;
    } else if (b === 0x62) {
      if (rex !== 0 || has66 || lock || lastF2F3 !== 0) return DecodeStatus_Invalid;
      vex = 2;
      if (p + 3 > lim) return p + 3 - start > MAX_LENGTH ? DecodeStatus_Invalid : shortStatus;
      const p0 = bytes[p] as number;
      const p1 = bytes[p + 1] as number;
      const p2 = bytes[p + 2] as number;
      p += 3;
      if ((p0 & 0x08) !== 0 || (p1 & 0x04) === 0) return DecodeStatus_Invalid;
      const mm = p0 & 7;
      if (mm < 1 || mm > 3) return DecodeStatus_Invalid;
      map = OpMap_Evex0F - 1 + mm;
      rR = (~p0 >> 4) & 8;
      rX = (~p0 >> 3) & 8;
      rB = (~p0 >> 2) & 8;
      rR2 = (~p0) & 0x10;
      rW = p1 & 0x80 ? REX_W : 0;
      vvvv = ((~p1 >> 3) & 15) | (p2 & 0x08 ? 0 : 16);
      pp = p1 & 3;
      evexZ = (p2 & 0x80) !== 0;
      vl = (p2 >> 5) & 3;
      evexB = (p2 & 0x10) !== 0;
      evexAaa = p2 & 7;
      if (p >= lim) return shortStatus;
      b = bytes[p++] as number;
    }
    const opcode = b;
    const slot = map * 256 + opcode;

    // --- ModRM, SIB, displacement (their length does not depend on the row)
    let modrm = -1;
    let mod = 0;
    let regField = 0;
    let rmField = 0;
    let hasSib = false;
    let sibIndex = 0;
    let baseNum = -1; // -1 none, 16 = rip
    let indexNum = -1;
    let scale = 1;
    let disp = 0;
    let dispSize = 0;
    if (SLOT_MODRM[slot] === 1) {
      if (p >= lim) return shortStatus;
      modrm = bytes[p++] as number;
      mod = modrm >> 6;
      regField = (modrm >> 3) & 7;
      rmField = modrm & 7;
      if (mod !== 3) {
        if (rmField === 4) {
          if (p >= lim) return shortStatus;
          const sib = bytes[p++] as number;
          hasSib = true;
          scale = 1 << (sib >> 6);
          const idx = ((sib >> 3) & 7) | rX;
          sibIndex = idx;
          indexNum = idx === 4 ? -1 : idx;
          const base = sib & 7;
          if (base === 5 && mod === 0) {
            baseNum = -1;
            dispSize = 4;
          } else {
            baseNum = base | rB;
          }
        } else if (rmField === 5 && mod === 0) {
          baseNum = 16;
          dispSize = 4;
        } else {
          baseNum = rmField | rB;
        }
        if (mod === 1) dispSize = 1;
        else if (mod === 2) dispSize = 4;
        if (dispSize !== 0) {
          if (p + dispSize > lim) return p + dispSize - start > MAX_LENGTH ? DecodeStatus_Invalid : shortStatus;
          if (dispSize === 1) {
            disp = ((bytes[p] as number) << 24) >> 24;
          } else {
            disp = (bytes[p] as number) | ((bytes[p + 1] as number) << 8) | ((bytes[p + 2] as number) << 16) | ((bytes[p + 3] as number) << 24);
          }
          p += dispSize;
        }
      }
    }

    // --- pick the row
    let mand: number;
    if (vex !== 0) {
      mand = pp === 0 ? MandatoryPrefix_None : pp === 1 ? MandatoryPrefix_P66 : pp === 2 ? MandatoryPrefix_PF3 : MandatoryPrefix_PF2;
    } else {
      mand = lastF2F3 === 0xf3 ? MandatoryPrefix_PF3 : lastF2F3 === 0xf2 ? MandatoryPrefix_PF2 : has66 ? MandatoryPrefix_P66 : MandatoryPrefix_None;
    }
    const wBit = rW !== 0 ? 1 : 0;
    const rowVl = vex === 2 && evexB && mod === 3 ? 2 : vl;
    let code = 0;
    let effOs = 0;
    const end = SLOT_START[slot + 1] as number;
    for (let i = SLOT_START[slot] as number; i < end; i++) {
      const c = SLOT_ROWS[i] as number;
      const rp = ROW_PFX[c] as number;
      if (rp !== MandatoryPrefix_Any && rp !== mand) continue;
      if (rp === MandatoryPrefix_Any && vex !== 0) continue;
      const rw = ROW_W[c] as number;
      if (rw !== 0 && rw !== wBit + 1) continue;
      const rr = ROW_REG[c] as number;
      if (rr !== 0xff && rr !== regField) continue;
      const rm = ROW_MOD[c] as number;
      if (rm === 1 ? mod === 3 : rm === 2 && mod !== 3) continue;
      const fm = ROW_FIXED_MODRM[c] as number;
      if (fm !== 0xffff && fm !== modrm) continue;
      const ras = ROW_ASZ[c] as number;
      if (ras !== 0 && ras !== (addr64 ? 8 : 4)) continue;
      const rvl = ROW_VL[c] as number;
      if (rvl !== 0xff && rvl !== rowVl) continue;
      // Effective operand size by the row's rule; a mandatory 66 is not an operand-size prefix.
      const o66 = has66 && rp !== MandatoryPrefix_P66;
      const mode = ROW_OSMODE[c] as number;
      const os = mode === OsMode_Force64 ? 64 : rW !== 0 ? 64 : o66 ? 16 : mode === OsMode_Default64 ? 64 : 32;
      const ro = ROW_OSZ[c] as number;
      if (ro !== 0 && ro !== os) continue;
      // 90 with REX.B is xchg r8, rax, not nop.
      if (rB !== 0 && slot === 0x90 && ROW_MNEMONIC[c] === Mnemonic_Nop) continue;
      code = c;
      effOs = os;
      break;
    }
    if (code === 0) return DecodeStatus_Invalid;
    const flags = ROW_FLAGS[code] as number;
    if (lock && ((flags & RowFlag_Lock) === 0 || mod === 3)) return DecodeStatus_Invalid;
    const vsib = (flags & RowFlag_Vsib) !== 0;
    // VSIB needs a SIB byte; its index is a vector register (index 4 included) extended by X and EVEX.V'.
    if (vsib && !hasSib) return DecodeStatus_Invalid;
    if (vsib) {
      // EVEX gathers and scatters need an opmask (k0 is #UD): it is their completion mask.
      if (vex === 2 && evexAaa === 0) return DecodeStatus_Invalid;
      // Gathers #UD when destination, index and mask registers are not all different; a
      // scatter (memory first) may store its index register.
      const gather = OP_CLASS[code * 4] !== OpClass_Mem;
      const dest = regField | rR | rR2;
      const idx = sibIndex | (vex === 2 ? vvvv & 16 : 0);
      if (gather && (dest === idx || (vex === 1 && (dest === vvvv || idx === vvvv)))) return DecodeStatus_Invalid;
    }
    if (vex !== 0) {
      // VEX/EVEX fields an instruction does not use must hold their neutral values, else #UD.
      let usesVvvv = false;
      const n = ROW_OPCOUNT[code] as number;
      for (let k = 0; k < n; k++) if (OP_ENC[code * 4 + k] === OpEnc_Vvvv) usesVvvv = true;
      if (!usesVvvv && (vsib ? vvvv & 15 : vvvv) !== 0) return DecodeStatus_Invalid;
      if (vex === 2) {
        if (evexAaa !== 0 && (flags & RowFlag_EvexK) === 0) return DecodeStatus_Invalid;
        if (evexZ && ((flags & RowFlag_EvexZ) === 0 || evexAaa === 0)) return DecodeStatus_Invalid;
        if (evexB && mod !== 3 && (flags & RowFlag_EvexBcst) === 0) return DecodeStatus_Invalid;
        // EVEX.b on a register form means {sae} or {er}: #UD where the instruction has neither.
        if (evexB && mod === 3 && (flags & (RowFlag_EvexSae | RowFlag_EvexEr)) === 0) return DecodeStatus_Invalid;
      }
    }

    // --- prefixes: which were consumed, and the Prefix bits
    // A memory operand whose width does not follow the operand size (mov Sreg, r32/m16) ignores 66 and REX.W.
    let fixedMemSize = false;
    if (mod !== 3 && ((ROW_FLAGS[code] as number) & RowFlag_MemFixed) !== 0) fixedMemSize = true;
    else if (mod !== 3) {
      const n = ROW_OPCOUNT[code] as number;
      for (let k = 0; k < n; k++) {
        const oi = code * 4 + k;
        // mov Sreg's memory form is always 16-bit, whatever the operand size says.
        if (OP_CLASS[oi] === OpClass_Sreg) fixedMemSize = true;
      }
    }
    let used = 0;
    let rexUsed = 0;
    let pfx = 0;
    const rp = ROW_PFX[code] as number;
    const mode = ROW_OSMODE[code] as number;
    if (has66) {
      pfx |= Prefix_OperandSize;
      if (rp === MandatoryPrefix_P66 || (rp !== MandatoryPrefix_None && ((ROW_OSZ[code] as number) !== 0 || mode === OsMode_Default64) && !fixedMemSize)) used |= 1 << last66;
    }
    if (has67) pfx |= Prefix_AddressSize;
    if (lock) pfx |= Prefix_Lock;
    if (lastF2F3 !== 0) {
      if (rp === MandatoryPrefix_PF3 || rp === MandatoryPrefix_PF2) {
        used |= 1 << lastF2F3Pos;
      } else if (lastF2F3 === 0xf3) {
        pfx |= lock && (flags & (RowFlag_Xrelease | RowFlag_Lock)) !== 0 ? Prefix_Xrelease : Prefix_Rep;
        if ((flags & RowFlag_Xrelease) !== 0 && !lock && mod !== 3) pfx |= Prefix_Xrelease;
      } else {
        if ((flags & RowFlag_Bnd) !== 0) pfx |= Prefix_Bnd;
        else if (lock && (flags & (RowFlag_Xacquire | RowFlag_Lock)) !== 0) pfx |= Prefix_Xacquire;
        else pfx |= Prefix_Repne;
      }
    }
    if (rex !== 0) {
      pfx |= Prefix_Rex;
      if (rW !== 0) pfx |= Prefix_RexW;
    }
    if (vex === 1) pfx |= Prefix_Vex;
    else if (vex === 2) pfx |= Prefix_Evex;
    if (seg !== Register_None) {
      pfx |= Prefix_Segment;
      if (segByte === 0x3e && (flags & RowFlag_Notrack) !== 0 && mod === 3) pfx |= Prefix_Notrack;
    }
    if (((ROW_W[code] as number) !== 0 || ((ROW_OSZ[code] as number) !== 0 && mode !== OsMode_Force64)) && !fixedMemSize) rexUsed |= REX_W;
    else if (mode === OsMode_Default64 && rW !== 0) rexUsed |= REX_W;

    // --- operands
    const count = ROW_OPCOUNT[code] as number;
    out.opCount = count;
    let hasMem = false;
    let relSize = 0;
    const rexHigh = rex !== 0; // REX present: byte registers 4..7 are SPL..DIL
    let operandSize = 0;
    const kinds = out.opKind;
    const regs = out.opReg;
    const sizes = out.opSize;
    for (let k = 0; k < 5; k++) {
      kinds[k] = OpKind_None;
      regs[k] = 0;
      sizes[k] = 0;
    }
    // immediates come after displacement in operand order; read them below
    let immPending = 0;
    let is4Op = -1;
    for (let k = 0; k < count; k++) {
      const oi = code * 4 + k;
      const cls = OP_CLASS[oi] as number;
      const enc = OP_ENC[oi] as number;
      const rsz = OP_REGSIZE[oi] as number;
      // register number from the encoding field
      let n = 0;
      switch (enc) {
        case OpEnc_Reg: n = regField | rR | rR2; break;
        case OpEnc_Rm: n = rmField | rB | (vex === 2 && mod === 3 ? rX << 1 : 0); break;
        case OpEnc_Vvvv: n = vvvv; break;
        case OpEnc_Opcode: n = (opcode & 7) | rB; break;
        default: break;
      }
      const isMemForm = mod !== 3 && enc === OpEnc_Rm;
      if (enc === OpEnc_Is4) {
        // VEX /is4: the register is in imm8[7:4], read with the immediates below
        kinds[k] = OpKind_Register;
        sizes[k] = rsz;
        is4Op = k;
        continue;
      }
      switch (cls) {
        case OpClass_Gpr:
        case OpClass_GprOrMem:
          if (cls === OpClass_GprOrMem && isMemForm) {
            kinds[k] = OpKind_Memory;
            sizes[k] = OP_MEMSIZE[oi] as number;
            hasMem = true;
            if (operandSize === 0) operandSize = rsz;
            break;
          }
          if (enc === OpEnc_Reg) rexUsed |= REX_R;
          else if (enc === OpEnc_Rm || enc === OpEnc_Opcode) rexUsed |= REX_B;
          n &= 15;
          kinds[k] = OpKind_Register;
          sizes[k] = rsz;
          if (rsz === 1) {
            if (rexHigh || n < 4 || n > 7) regs[k] = Register_AL + n;
            else regs[k] = Register_AH + n - 4;
          } else {
            regs[k] = (rsz === 2 ? Register_AX : rsz === 4 ? Register_EAX : Register_RAX) + n;
          }
          if (operandSize === 0) operandSize = rsz;
          break;
        case OpClass_Mem:
          kinds[k] = OpKind_Memory;
          sizes[k] = OP_MEMSIZE[oi] as number;
          hasMem = true;
          break;
        case OpClass_Xmm: case OpClass_XmmOrMem:
        case OpClass_Ymm: case OpClass_YmmOrMem:
        case OpClass_Zmm: case OpClass_ZmmOrMem:
          if ((cls === OpClass_XmmOrMem || cls === OpClass_YmmOrMem || cls === OpClass_ZmmOrMem) && isMemForm) {
            kinds[k] = OpKind_Memory;
            hasMem = true;
            if (operandSize === 0) operandSize = rsz;
            if (vex === 2 && evexB && (OP_BCST[oi] as number) !== 0) {
              out.memBroadcast = true;
              out.memBroadcastSize = OP_BCST[oi] as number;
              sizes[k] = OP_BCST[oi] as number;
            } else {
              sizes[k] = OP_MEMSIZE[oi] as number;
            }
            break;
          }
          if (enc === OpEnc_Reg) rexUsed |= REX_R;
          else if (enc === OpEnc_Rm) rexUsed |= REX_B;
          if (vex !== 2) n &= 15;
          kinds[k] = OpKind_Register;
          regs[k] = (cls <= OpClass_XmmOrMem ? Register_XMM0 : cls <= OpClass_YmmOrMem ? Register_YMM0 : Register_ZMM0) + n;
          sizes[k] = rsz;
          if (operandSize === 0) operandSize = rsz;
          break;
        case OpClass_Mmx: case OpClass_MmxOrMem:
        case OpClass_Kreg: case OpClass_KregOrMem:
          if ((cls === OpClass_MmxOrMem || cls === OpClass_KregOrMem) && isMemForm) {
            kinds[k] = OpKind_Memory;
            sizes[k] = OP_MEMSIZE[oi] as number;
            hasMem = true;
            break;
          }
          kinds[k] = OpKind_Register;
          regs[k] = (cls <= OpClass_MmxOrMem ? Register_MM0 : Register_K0) + (n & 7);
          sizes[k] = rsz;
          if (operandSize === 0) operandSize = rsz;
          break;
        case OpClass_Sreg:
          // ES..GS only; and MOV cannot load CS (SDM Vol. 2B, MOV: "#UD if an attempt is made to load the CS register")
          if (regField > 5 || (regField === 1 && k === 0)) return DecodeStatus_Invalid;
          kinds[k] = OpKind_Register;
          regs[k] = Register_ES + regField;
          sizes[k] = 2;
          break;
        case OpClass_Creg:
          rexUsed |= REX_R;
          kinds[k] = OpKind_Register;
          regs[k] = Register_CR0 + (regField | rR);
          sizes[k] = 8;
          break;
        case OpClass_Dreg:
          rexUsed |= REX_R;
          kinds[k] = OpKind_Register;
          regs[k] = Register_DR0 + (regField | rR);
          sizes[k] = 8;
          break;
        case OpClass_St:
          kinds[k] = OpKind_Register;
          regs[k] = Register_ST0 + rmField;
          sizes[k] = 10;
          break;
        case OpClass_Fixed:
          kinds[k] = OpKind_Register;
          regs[k] = OP_FIXED[oi] as number;
          sizes[k] = rsz;
          if (operandSize === 0 && rsz <= 8) operandSize = rsz;
          break;
        case OpClass_One:
          kinds[k] = OpKind_Immediate;
          sizes[k] = 1;
          out.immLo = 1;
          break;
        case OpClass_Imm:
          kinds[k] = OpKind_Immediate;
          immPending |= 1 << k;
          break;
        case OpClass_Imm2:
          kinds[k] = OpKind_Immediate2;
          immPending |= 1 << k;
          break;
        case OpClass_Rel:
          kinds[k] = OpKind_NearBranch;
          relSize = rsz;
          sizes[k] = 8;
          break;
        case OpClass_Moffs:
          kinds[k] = OpKind_Memory;
          sizes[k] = OP_MEMSIZE[oi] as number;
          hasMem = true;
          immPending |= 1 << k;
          break;
        case OpClass_StrSrc:
          kinds[k] = OpKind_MemorySegRsi;
          sizes[k] = OP_MEMSIZE[oi] as number;
          hasMem = true;
          break;
        case OpClass_StrDst:
          kinds[k] = OpKind_MemoryEsRdi;
          sizes[k] = OP_MEMSIZE[oi] as number;
          hasMem = true;
          break;
        default:
          return DecodeStatus_Invalid;
      }
    }

    // --- memory operand (ModRM form)
    if (modrm >= 0 && mod !== 3) {
      const regBase = addr64 ? Register_RAX : Register_EAX;
      if (baseNum === 16) {
        out.memBase = addr64 ? Register_RIP : Register_EIP;
      } else if (baseNum >= 0) {
        out.memBase = regBase + baseNum;
        rexUsed |= REX_B;
      }
      if (vsib) {
        let vsz = 0;
        const n = ROW_OPCOUNT[code] as number;
        for (let k = 0; k < n; k++) if (OP_CLASS[code * 4 + k] === OpClass_Mem) vsz = OP_REGSIZE[code * 4 + k] as number;
        const vbase = vsz === 16 ? Register_XMM0 : vsz === 32 ? Register_YMM0 : Register_ZMM0;
        out.memIndex = vbase + (sibIndex | (vex === 2 ? vvvv & 16 : 0));
        rexUsed |= REX_X;
      } else if (indexNum >= 0) {
        out.memIndex = regBase + indexNum;
        rexUsed |= REX_X;
      }
      out.memScale = scale;
      // EVEX compresses disp8 by the memory operand's size (disp8*N).
      if (vex === 2 && dispSize === 1) disp *= this.disp8Scale(code, out);
      out.memDisp = disp;
      out.memDispSize = hasSib && baseNum < 0 ? 4 : dispSize;
    }
    if (hasMem && seg !== Register_None) {
      // In 64-bit mode only FS and GS change the address; CS/DS/ES/SS overrides are ignored.
      if (seg === Register_FS || seg === Register_GS) {
        out.memSeg = seg;
        used |= 1 << segPos;
      }
    }
    if (has67 && (hasMem || (ROW_ASZ[code] as number) !== 0)) used |= 1 << last67;
    if ((pfx & (Prefix_Rep | Prefix_Repne)) !== 0 && (flags & (RowFlag_Rep | RowFlag_Repe)) !== 0) used |= 1 << lastF2F3Pos;

    // --- immediates, in operand order, after the displacement
    for (let k = 0; immPending !== 0 && k < count; k++) {
      if ((immPending & (1 << k)) === 0) continue;
      immPending &= ~(1 << k);
      const oi = code * 4 + k;
      const cls = OP_CLASS[oi] as number;
      if (cls === OpClass_Moffs) {
        const asz = addr64 ? 8 : 4;
        if (p + asz > lim) return p + asz - start > MAX_LENGTH ? DecodeStatus_Invalid : shortStatus;
        const lo = ((bytes[p] as number) | ((bytes[p + 1] as number) << 8) | ((bytes[p + 2] as number) << 16) | ((bytes[p + 3] as number) << 24)) >>> 0;
        const hi = asz === 8 ? ((bytes[p + 4] as number) | ((bytes[p + 5] as number) << 8) | ((bytes[p + 6] as number) << 16) | ((bytes[p + 7] as number) << 24)) >>> 0 : 0;
        p += asz;
        out.immLo = lo;
        out.immHi = hi;
        // As a canonical (sign-extended) JS number, exact for every canonical address.
        out.memDisp = (hi | 0) * 4294967296 + lo;
        out.memDispSize = 8;
        if (seg === Register_FS || seg === Register_GS) {
          out.memSeg = seg;
          used |= 1 << segPos;
        }
        continue;
      }
      const isz = OP_REGSIZE[oi] as number;
      if (p + isz > lim) return p + isz - start > MAX_LENGTH ? DecodeStatus_Invalid : shortStatus;
      if (cls === OpClass_Imm2) {
        out.imm2 = bytes[p] as number;
        sizes[k] = 1;
        p += isz;
        continue;
      }
      let v: number;
      if (isz === 1) {
        v = bytes[p] as number;
        out.immHi = 0;
        if ((flags & RowFlag_SignExtImm) !== 0 && effOs > 8) {
          v = (v << 24) >> 24;
          if (effOs === 64) {
            out.immLo = v >>> 0;
            out.immHi = v < 0 ? 0xffffffff : 0;
            sizes[k] = 8;
          } else {
            out.immLo = (effOs === 16 ? v & 0xffff : v >>> 0);
            sizes[k] = effOs / 8;
          }
        } else {
          out.immLo = v;
          sizes[k] = 1;
        }
      } else if (isz === 2) {
        out.immLo = (bytes[p] as number) | ((bytes[p + 1] as number) << 8);
        out.immHi = 0;
        sizes[k] = 2;
      } else if (isz === 4) {
        v = (bytes[p] as number) | ((bytes[p + 1] as number) << 8) | ((bytes[p + 2] as number) << 16) | ((bytes[p + 3] as number) << 24);
        out.immLo = v >>> 0;
        const wide = (ROW_OSZ[code] as number) === 64 || ((mode === OsMode_Default64) && effOs === 64);
        if (wide) {
          out.immHi = v < 0 ? 0xffffffff : 0;
          sizes[k] = 8;
        } else {
          out.immHi = 0;
          sizes[k] = 4;
        }
      } else {
        out.immLo = ((bytes[p] as number) | ((bytes[p + 1] as number) << 8) | ((bytes[p + 2] as number) << 16) | ((bytes[p + 3] as number) << 24)) >>> 0;
        out.immHi = ((bytes[p + 4] as number) | ((bytes[p + 5] as number) << 8) | ((bytes[p + 6] as number) << 16) | ((bytes[p + 7] as number) << 24)) >>> 0;
        sizes[k] = 8;
      }
      out.immSize = isz;
      p += isz;
    }
    if (is4Op >= 0) {
      if (p >= lim) return shortStatus;
      const cls = OP_CLASS[code * 4 + is4Op] as number;
      regs[is4Op] = (cls <= OpClass_XmmOrMem ? Register_XMM0 : Register_YMM0) + ((bytes[p++] as number) >> 4);
    }
    if (relSize !== 0) {
      if (p + relSize > lim) return p + relSize - start > MAX_LENGTH ? DecodeStatus_Invalid : shortStatus;
      let rel: number;
      if (relSize === 1) rel = ((bytes[p] as number) << 24) >> 24;
      else rel = (bytes[p] as number) | ((bytes[p + 1] as number) << 8) | ((bytes[p + 2] as number) << 16) | ((bytes[p + 3] as number) << 24);
      p += relSize;
      out.branchTarget = ip + (p - start) + rel;
    }

    // --- REX bookkeeping for formatters
    if (rex !== 0) {
      // a plain REX (0x40) matters when it selects spl/bpl/sil/dil
      for (let k = 0; k < count; k++) {
        const r = regs[k] as number;
        if (kinds[k] === OpKind_Register && r >= Register_SPL && r <= Register_DIL) rexUsed |= 0x10;
      }
      const bits = rex & 15;
      if ((bits & ~rexUsed) === 0 && (bits !== 0 || (rexUsed & 0x10) !== 0)) used |= 1 << rexPos;
      out.rexUsed = rexUsed & 15;
    }
    if (vex === 2) {
      if (evexAaa !== 0) out.opMask = Register_K0 + evexAaa;
      out.zeroingMasking = evexZ;
      if (evexB && mod === 3) out.evexRounding = (flags & RowFlag_EvexEr) !== 0 ? 2 + vl : 1;
    }

    out.length = p - start;
    out.code = code;
    out.mnemonic = ROW_MNEMONIC[code] as number;
    out.prefixes = pfx;
    out.prefixUsed = used;
    // Operand size: the GPR operand size when the row depends on it, else the first register's width.
    if ((ROW_OSZ[code] as number) !== 0 || operandSize === 0) operandSize = effOs / 8;
    out.operandSize = operandSize;
    return DecodeStatus_Ok;
  }

  /** disp8*N for an EVEX memory operand: the broadcast element size, else the memory operand's size. */
  private disp8Scale(code: number, out: Instruction): number {
    if (out.memBroadcast) return out.memBroadcastSize;
    // Tuple T1S — VSIB (one gathered element; vm32/vm64 name the index width) and
    // compress/expand (one stored element): W0 a dword, W1 a qword.
    if (((ROW_FLAGS[code] as number) & (RowFlag_Vsib | RowFlag_EvexT1s)) !== 0) return (ROW_W[code] as number) === 2 ? 8 : 4;
    const count = ROW_OPCOUNT[code] as number;
    for (let k = 0; k < count; k++) {
      if (out.opKind[k] === OpKind_Memory) return OP_MEMSIZE[code * 4 + k] as number || 1;
    }
    return 1;
  }
}
