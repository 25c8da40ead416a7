import * as rowSelect from './row-select.js';
import { Attr } from './row-select.js';
import * as rows from './decode-rows.js';
import { Opt, RowFact, RowInfo } from './decode-rows.js';
import * as tables from './generated/decode.generated.js';
import { DecodeStatus, type Instruction, type InstructionDecoder, OpKind, Prefix } from './instruction.js';
import { MandatoryPrefix, OpClass, OpEnc, OpMap, OsMode, RowFlag } from './operand.js';
import { Register } from './register.js';

// Module-level bindings of the tables: in dev transforms (vite, tsx) an imported binding can be a
// getter on a namespace object, too slow to touch several times per decoded instruction; and
// V8's optimised code reads an imported binding through its module cell with a hole check per
// use, where a module-level const of this file costs nothing.
const CANDIDATE_RANGE = rowSelect.CANDIDATE_RANGE;
const CANDIDATES = rowSelect.CANDIDATES;
const ROW_DENY = rowSelect.ROW_DENY;
const OP_CLASS = tables.OP_CLASS;
const OP_ENC = tables.OP_ENC;
const OPT = rows.OPT;
const ROW_FORM = rows.ROW_FORM;
const ROW_INFO = rows.ROW_INFO;
const ROW_IS4_BASE = rows.ROW_IS4_BASE;
const ROW_VSIB_SIZE = rows.ROW_VSIB_SIZE;
const OP_BCST = tables.OP_BCST;
const OP_MEMSIZE = tables.OP_MEMSIZE;
const OP_REGSIZE = tables.OP_REGSIZE;
const ROW_ASZ = tables.ROW_ASZ;
const ROW_FIXED_MODRM = tables.ROW_FIXED_MODRM;
const ROW_FLAGS = tables.ROW_FLAGS;
const ROW_MNEMONIC = tables.ROW_MNEMONIC;
const ROW_W = tables.ROW_W;
const SLOT_MODRM = tables.SLOT_MODRM;

// Enum members as module-level constants: dev transforms (vite, tsx) compile each file alone and
// cannot inline another file's const enum, so `OpKind.Memory` would be an import lookup per use.
const DecodeStatus_Ok = DecodeStatus.Ok;
const DecodeStatus_Invalid = DecodeStatus.Invalid;
const DecodeStatus_NeedMoreBytes = DecodeStatus.NeedMoreBytes;
const Register_None = Register.None;
const Register_ES = Register.ES;
const Register_CS = Register.CS;
const Register_SS = Register.SS;
const Register_DS = Register.DS;
const Register_FS = Register.FS;
const Register_GS = Register.GS;
const Register_AL = Register.AL;
const Register_AH = Register.AH;
const Register_EAX = Register.EAX;
const Register_RAX = Register.RAX;
const Register_RIP = Register.RIP;
const Register_EIP = Register.EIP;
const Register_XMM0 = Register.XMM0;
const Register_YMM0 = Register.YMM0;
const Register_ZMM0 = Register.ZMM0;
const Register_K0 = Register.K0;
const OpMap_M0F = OpMap.M0F;
const OpMap_M0F38 = OpMap.M0F38;
const OpMap_M0F3A = OpMap.M0F3A;
const OpMap_Vex0F = OpMap.Vex0F;
const OpMap_Evex0F = OpMap.Evex0F;
const MandatoryPrefix_PF3 = MandatoryPrefix.PF3;
const MandatoryPrefix_PF2 = MandatoryPrefix.PF2;
const MandatoryPrefix_P66 = MandatoryPrefix.P66;
const OsMode_Force64 = OsMode.Force64;
const OsMode_Default64 = OsMode.Default64;
const RowFlag_Lock = RowFlag.Lock;
const RowFlag_Rep = RowFlag.Rep;
const RowFlag_Repe = RowFlag.Repe;
const RowFlag_Bnd = RowFlag.Bnd;
const RowFlag_Notrack = RowFlag.Notrack;
const RowFlag_SignExtImm = RowFlag.SignExtImm;
const RowFlag_Xacquire = RowFlag.Xacquire;
const RowFlag_Xrelease = RowFlag.Xrelease;
const RowFlag_EvexK = RowFlag.EvexK;
const RowFlag_EvexZ = RowFlag.EvexZ;
const RowFlag_EvexBcst = RowFlag.EvexBcst;
const RowFlag_Vsib = RowFlag.Vsib;
const RowFlag_EvexSae = RowFlag.EvexSae;
const RowFlag_EvexEr = RowFlag.EvexEr;
const RowFlag_EvexT1s = RowFlag.EvexT1s;
const Prefix_Lock = Prefix.Lock;
const Prefix_Rep = Prefix.Rep;
const Prefix_Repne = Prefix.Repne;
const Prefix_OperandSize = Prefix.OperandSize;
const Prefix_AddressSize = Prefix.AddressSize;
const Prefix_Rex = Prefix.Rex;
const Prefix_RexW = Prefix.RexW;
const Prefix_Segment = Prefix.Segment;
const Prefix_Notrack = Prefix.Notrack;
const Prefix_Bnd = Prefix.Bnd;
const Prefix_Vex = Prefix.Vex;
const Prefix_Evex = Prefix.Evex;
const Prefix_Xacquire = Prefix.Xacquire;
const Prefix_Xrelease = Prefix.Xrelease;
const OpKind_None = OpKind.None;
const OpKind_Memory = OpKind.Memory;
const Attr_VectorLength = Attr.VectorLength;
const Attr_ModReg = Attr.ModReg;
const Attr_ModMem = Attr.ModMem;
const Attr_Reg = Attr.Reg;
const Attr_Addr64 = Attr.Addr64;
const Attr_Addr32 = Attr.Addr32;
const Attr_RexB = Attr.RexB;
const RowFact_UsesVvvv = RowFact.UsesVvvv;
const RowFact_FixedMemSize = RowFact.FixedMemSize;
const RowFact_Mandatory66 = RowFact.Mandatory66;
const RowFact_Uses66 = RowFact.Uses66;
const RowFact_UsesW = RowFact.UsesW;
const RowFact_Gather = RowFact.Gather;
const RowFact_BadOperand = RowFact.BadOperand;
const RowFact_Sreg = RowFact.Sreg;
const RowFact_SregFirst = RowFact.SregFirst;
const RowFact_One = RowFact.One;
const RowFact_FixedLowByte = RowFact.FixedLowByte;
const OpClass_XmmOrMem = OpClass.XmmOrMem;
const OpClass_YmmOrMem = OpClass.YmmOrMem;
const OpClass_ZmmOrMem = OpClass.ZmmOrMem;
const OpClass_Moffs = OpClass.Moffs;
const OpClass_Imm2 = OpClass.Imm2;
const OpEnc_Rm = OpEnc.Rm;
const Opt_Shift = Opt.Shift;
const Opt_Width = Opt.Width;
const Opt_Byte = Opt.Byte;
const Opt_Rex = Opt.Rex;
const Opt_Base = Opt.Base;
const Opt_Size = Opt.Size;
const RowInfo_Facts = RowInfo.Facts;
const RowInfo_Imm = RowInfo.Imm;
const RowInfo_Rel = RowInfo.Rel;
const RowInfo_Is4 = RowInfo.Is4;
const RowInfo_Count = RowInfo.Count;
const RowInfo_OsMode = RowInfo.OsMode;
const RowInfo_Osz = RowInfo.Osz;
const RowInfo_Pfx = RowInfo.Pfx;

/** The architectural limit: a longer instruction raises #GP; the decoder reports it as Invalid. */
const MAX_LENGTH = 15;

/** REX bit masks in the REX byte's own layout (also used for `Instruction.rexUsed`). */
const REX_W = 8;
const REX_R = 4;
const REX_X = 2;
const REX_B = 1;

/** Legacy prefix kinds by byte, so the common no-prefix case costs one table read. */
const PFX_NONE = 0;
const PFX_REX = 1;
const PFX_66 = 2;
const PFX_67 = 3;
const PFX_LOCK = 4;
const PFX_REP = 5;
const PFX_SEG = 6;
const PREFIX_KIND = new Uint8Array(256);
/** The segment register of a segment-override prefix byte. */
const PREFIX_SEG = new Uint16Array(256);
{
  for (let b = 0x40; b <= 0x4f; b++) PREFIX_KIND[b] = PFX_REX;
  PREFIX_KIND[0x66] = PFX_66;
  PREFIX_KIND[0x67] = PFX_67;
  PREFIX_KIND[0xf0] = PFX_LOCK;
  PREFIX_KIND[0xf2] = PFX_REP;
  PREFIX_KIND[0xf3] = PFX_REP;
  const segs: [number, number][] = [[0x26, Register_ES], [0x2e, Register_CS], [0x36, Register_SS], [0x3e, Register_DS], [0x64, Register_FS], [0x65, Register_GS]];
  for (const [b, r] of segs) {
    PREFIX_KIND[b] = PFX_SEG;
    PREFIX_SEG[b] = r;
  }
}

/**
 * The OpKind and size bytes of operand slots 0..3 of each row form (`rowForm`), four bytes to a
 * word in memory order, so one 32-bit store fills a record's four `opKind` (or `opSize`) slots.
 * Built through byte views, so the words suit the host's byte order.
 */
const FORM_KINDS = new Uint32Array(OPT.length / 4);
const FORM_SIZES = new Uint32Array(OPT.length / 4);
{
  const kinds = new Uint8Array(FORM_KINDS.buffer);
  const sizes = new Uint8Array(FORM_SIZES.buffer);
  for (let t = 0; t < OPT.length; t++) {
    const w = OPT[t] as number;
    kinds[t] = w & 7;
    sizes[t] = (w >> Opt_Size) & 0xff;
  }
}

/**
 * x86-64 (64-bit mode) decoder driven by the generated tables. Decoding reads the bytes
 * once, with integer switches and typed-array lookups: no strings, no allocation, no BigInt.
 * The record is valid only after Ok: a decode that fails may have written some of it.
 */
export class Decoder implements InstructionDecoder {
  // 32-bit views of the last record's operand arrays (see FORM_KINDS); a caller decodes into
  // one record over and over, so they are made once.
  private record: Instruction | undefined = undefined;
  private kinds32: Uint32Array = new Uint32Array(1);
  private sizes32: Uint32Array = new Uint32Array(1);
  private regs32: Uint32Array = new Uint32Array(2);

  decode(bytes: Uint8Array, offset: number, available: number, ip: number, out: Instruction): DecodeStatus {
    // Small integers from here on: V8 holds a typed array's length as a machine word, and
    // arithmetic mixing it in makes `lim`, and every `p >= lim` below, floating point. An
    // offset or a rest of the array past 2 GiB would wrap, so it is refused.
    const start = offset | 0;
    const left = (bytes.length - start) | 0;
    if (start !== offset || left !== bytes.length - start) {
      throw new RangeError(`Decoder.decode: offset ${offset} of a ${bytes.length}-byte array is past what it handles (2 GiB)`);
    }
    const avail = available < left ? available | 0 : left;
    // Bytes past `lim` are either not given (NeedMoreBytes) or beyond the 15-byte limit (Invalid).
    const lim = start + Math.min(avail, MAX_LENGTH);
    const shortStatus = avail >= MAX_LENGTH ? DecodeStatus_Invalid : DecodeStatus_NeedMoreBytes;
    let p = start;
    if (p >= lim) return shortStatus;
    let b = bytes[p] as number;

    // --- legacy prefixes and REX. A REX byte followed by another prefix is ignored (REX must be last).
    let has66 = false;
    let last66 = 0;
    let has67 = false;
    let last67 = 0;
    let lock = false;
    let lastF2F3 = 0;
    let lastF2F3Pos = 0;
    let seg = Register_None;
    let segByte = 0;
    let segPos = 0;
    let rex = 0;
    let rexPos = 0;
    let np = 0;
    if (PREFIX_KIND[b] !== PFX_NONE) {
      const pbytes = out.prefixBytes;
      do {
        switch (PREFIX_KIND[b]) {
          case PFX_REX: rex = b; rexPos = np; break;
          case PFX_66: has66 = true; last66 = np; rex = 0; break;
          case PFX_67: has67 = true; last67 = np; rex = 0; break;
          case PFX_LOCK: lock = true; rex = 0; break;
          case PFX_REP: lastF2F3 = b; lastF2F3Pos = np; rex = 0; break;
          default: seg = PREFIX_SEG[b] as number; segByte = b; segPos = np; rex = 0; break;
        }
        pbytes[np++] = b;
        if (++p >= lim) return shortStatus;
        b = bytes[p] as number;
      } while (PREFIX_KIND[b] !== PFX_NONE);
    }
    const addr64 = !has67;

    // --- opcode map, VEX / EVEX
    let map = 0; // OpMap.Legacy
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

    // --- pick the row: the first candidate of the slot (and reg) whose deny mask misses the attributes
    // Prefix state: VEX.pp, or none / 66 / F3 / F2 / 66+F3 / 66+F2 (see row-select.ts).
    const state = vex !== 0 ? pp : lastF2F3 === 0 ? (has66 ? 1 : 0) : (lastF2F3 === 0xf3 ? 2 : 3) + (has66 ? 2 : 0);
    const wBit = rW !== 0 ? 1 : 0;
    const rowVl = vex === 2 && evexB && mod === 3 ? 2 : vl;
    const attributes = (1 << (state * 2 + wBit)) | (1 << (Attr_VectorLength + rowVl)) | (mod === 3 ? Attr_ModReg : Attr_ModMem) |
      (1 << (Attr_Reg + regField)) | (addr64 ? Attr_Addr64 : Attr_Addr32) | (rB !== 0 ? Attr_RexB : 0);
    const range = CANDIDATE_RANGE[slot * 8 + regField] as number;
    const candEnd = range >>> 16;
    let code = 0;
    for (let i = range & 0xffff; i < candEnd; i++) {
      const c = CANDIDATES[i] as number;
      if ((attributes & (ROW_DENY[c] as number)) !== 0) continue;
      const fm = ROW_FIXED_MODRM[c] as number;
      if (fm === 0xffff || fm === modrm) {
        code = c;
        break;
      }
    }
    if (code === 0) return DecodeStatus_Invalid;
    const flags = ROW_FLAGS[code] as number;
    const info = ROW_INFO[code] as number;
    const facts = info & RowInfo_Facts;
    const mode = (info >> RowInfo_OsMode) & 3;
    const rowOsz = ((info >> RowInfo_Osz) & 7) * 16;
    const rp = info >>> RowInfo_Pfx;
    // Effective operand size by the row's rule; a mandatory 66 is not an operand-size prefix.
    const effOs = mode === OsMode_Force64 || rW !== 0 ? 64 : has66 && rp !== MandatoryPrefix_P66 ? 16 : mode === OsMode_Default64 ? 64 : 32;
    if (lock && ((flags & RowFlag_Lock) === 0 || mod === 3)) return DecodeStatus_Invalid;
    const vsib = (flags & RowFlag_Vsib) !== 0;
    if (vsib) {
      // VSIB needs a SIB byte; its index is a vector register (index 4 included) extended by X and EVEX.V'.
      if (!hasSib) return DecodeStatus_Invalid;
      // EVEX gathers and scatters need an opmask (k0 is #UD): it is their completion mask.
      if (vex === 2 && evexAaa === 0) return DecodeStatus_Invalid;
      // Gathers #UD when destination, index and mask registers are not all different; a
      // scatter (memory first) may store its index register.
      const dest = regField | rR | rR2;
      const idx = sibIndex | (vex === 2 ? vvvv & 16 : 0);
      if ((facts & RowFact_Gather) !== 0 && (dest === idx || (vex === 1 && (dest === vvvv || idx === vvvv)))) return DecodeStatus_Invalid;
    }
    if (vex !== 0) {
      // VEX/EVEX fields an instruction does not use must hold their neutral values, else #UD.
      if ((facts & RowFact_UsesVvvv) === 0 && (vsib ? vvvv & 15 : vvvv) !== 0) return DecodeStatus_Invalid;
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
    const fixedMemSize = mod !== 3 && (facts & RowFact_FixedMemSize) !== 0;
    let used = 0;
    let rexUsed = 0;
    let pfx = 0;
    if (np !== 0) {
      if (has66) {
        pfx |= Prefix_OperandSize;
        if ((facts & RowFact_Mandatory66) !== 0 || ((facts & RowFact_Uses66) !== 0 && !fixedMemSize)) used |= 1 << last66;
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
        if ((facts & RowFact_UsesW) !== 0 && !fixedMemSize) rexUsed |= REX_W;
        else if (mode === OsMode_Default64 && rW !== 0) rexUsed |= REX_W;
      }
      if (seg !== Register_None) {
        pfx |= Prefix_Segment;
        if (segByte === 0x3e && (flags & RowFlag_Notrack) !== 0 && mod === 3) pfx |= Prefix_Notrack;
      }
    }
    if (vex === 1) pfx |= Prefix_Vex;
    else if (vex === 2) pfx |= Prefix_Evex;

    // --- operands, from the row's templates (decode-rows.ts): no branches per operand
    const count = (info >> RowInfo_Count) & 7;
    const rowForm = code * 2 + (mod === 3 ? 1 : 0);
    const kinds = out.opKind;
    const regs = out.opReg;
    const sizes = out.opSize;
    // The register-number fields, 5 bits each at NumberSource * 5: none (0), ModRM.reg | REX.R |
    // EVEX.R', ModRM.rm | REX.B (| EVEX.X on EVEX register forms), vvvv, opcode bits | REX.B.
    const numbers = (regField | rR | rR2) << 5 | (rmField | rB | (vex === 2 && mod === 3 ? rX << 1 : 0)) << 10 | vvvv << 15 | ((opcode & 7) | rB) << 20;
    // Byte registers 4..7 are AH..BH without REX (AL + n + 12), SPL..DIL with it.
    const highByte = rex === 0 ? Register_AH - Register_AL - 4 : 0;
    let byte4to7 = 0;
    if (out !== this.record) this.viewOperands(out);
    // the kinds and sizes of slots 0..3 in one store each (a row's unused slots hold zeros)
    this.kinds32[0] = FORM_KINDS[rowForm] as number;
    this.sizes32[0] = FORM_SIZES[rowForm] as number;
    const regs32 = this.regs32;
    regs32[0] = 0;
    regs32[1] = 0;
    for (let k = 0, t = rowForm * 4; k < count; k++, t++) {
      const w = OPT[t] as number;
      const n = (numbers >> ((w >> Opt_Shift) & 31)) & ((1 << ((w >> Opt_Width) & 7)) - 1);
      // 1 for a byte register numbered 4..7 (0xf0 has bits 4..7 set)
      const hb = (w >> Opt_Byte) & (0xf0 >> n) & 1;
      byte4to7 |= hb;
      regs[k] = ((w >> Opt_Base) & 0xff) + n + hb * highByte;
      rexUsed |= (w >> Opt_Rex) & 7;
    }
    kinds[4] = OpKind_None;
    regs[4] = 0;
    sizes[4] = 0;
    if ((facts & (RowFact_BadOperand | RowFact_Sreg)) !== 0) {
      if ((facts & RowFact_BadOperand) !== 0) return DecodeStatus_Invalid;
      // ES..GS only; and MOV cannot load CS (SDM Vol. 2B, MOV: "#UD if an attempt is made to load the CS register")
      if (regField > 5 || (regField === 1 && (facts & RowFact_SregFirst) !== 0)) return DecodeStatus_Invalid;
    }
    const formInfo = ROW_FORM[rowForm] as number;
    const hasMem = formInfo >= 0x80;
    const operandSize = formInfo & 0x7f;
    let immLo = (facts & RowFact_One) !== 0 ? 1 : 0;
    // EVEX.b on a memory form: the r/m operand is one broadcast element.
    let bcst = false;
    let bcstSize = 0;
    if (vex === 2 && evexB && mod !== 3) {
      for (let k = 0; k < count; k++) {
        const oi = code * 4 + k;
        const cls = OP_CLASS[oi] as number;
        // an xmm/ymm/zmm r/m operand (in its memory form) with a broadcast size
        if ((cls === OpClass_XmmOrMem || cls === OpClass_YmmOrMem || cls === OpClass_ZmmOrMem) && OP_ENC[oi] === OpEnc_Rm && (OP_BCST[oi] as number) !== 0) {
          bcst = true;
          bcstSize = OP_BCST[oi] as number;
          sizes[k] = bcstSize;
        }
      }
    }
    const opBase = code * 4;
    let immPending = (info >> RowInfo_Imm) & 15;

    // --- memory operand (ModRM form)
    let memSeg = Register_None;
    let memBase = Register_None;
    let memIndex = Register_None;
    let memScale = 1;
    let memDisp = 0;
    let memDispSize = 0;
    if (modrm >= 0 && mod !== 3) {
      const regBase = addr64 ? Register_RAX : Register_EAX;
      if (baseNum === 16) {
        memBase = addr64 ? Register_RIP : Register_EIP;
      } else if (baseNum >= 0) {
        memBase = regBase + baseNum;
        rexUsed |= REX_B;
      }
      if (vsib) {
        const vsz = ROW_VSIB_SIZE[code] as number;
        const vbase = vsz === 16 ? Register_XMM0 : vsz === 32 ? Register_YMM0 : Register_ZMM0;
        memIndex = vbase + (sibIndex | (vex === 2 ? vvvv & 16 : 0));
        rexUsed |= REX_X;
      } else if (indexNum >= 0) {
        memIndex = regBase + indexNum;
        rexUsed |= REX_X;
      }
      memScale = scale;
      // EVEX compresses disp8 by the memory operand's size (disp8*N).
      if (vex === 2 && dispSize === 1) disp *= disp8Scale(code, count, kinds, bcst, bcstSize);
      memDisp = disp;
      memDispSize = hasSib && baseNum < 0 ? 4 : dispSize;
    }
    if (np !== 0) {
      if (hasMem && seg !== Register_None) {
        // In 64-bit mode only FS and GS change the address; CS/DS/ES/SS overrides are ignored.
        if (seg === Register_FS || seg === Register_GS) {
          memSeg = seg;
          used |= 1 << segPos;
        }
      }
      if (has67 && (hasMem || (ROW_ASZ[code] as number) !== 0)) used |= 1 << last67;
      if ((pfx & (Prefix_Rep | Prefix_Repne)) !== 0 && (flags & (RowFlag_Rep | RowFlag_Repe)) !== 0) used |= 1 << lastF2F3Pos;
    }

    // --- immediates, in operand order, after the displacement
    let immHi = 0;
    let immSize = 0;
    let imm2 = 0;
    for (let k = 0; immPending !== 0; k++) {
      if ((immPending & (1 << k)) === 0) continue;
      immPending &= ~(1 << k);
      const oi = opBase + k;
      const cls = OP_CLASS[oi] as number;
      if (cls === OpClass_Moffs) {
        const asz = addr64 ? 8 : 4;
        if (p + asz > lim) return p + asz - start > MAX_LENGTH ? DecodeStatus_Invalid : shortStatus;
        const lo = ((bytes[p] as number) | ((bytes[p + 1] as number) << 8) | ((bytes[p + 2] as number) << 16) | ((bytes[p + 3] as number) << 24)) >>> 0;
        const hi = asz === 8 ? ((bytes[p + 4] as number) | ((bytes[p + 5] as number) << 8) | ((bytes[p + 6] as number) << 16) | ((bytes[p + 7] as number) << 24)) >>> 0 : 0;
        p += asz;
        immLo = lo;
        immHi = hi;
        // As a canonical (sign-extended) JS number, exact for every canonical address.
        memDisp = (hi | 0) * 4294967296 + lo;
        memDispSize = 8;
        if (seg === Register_FS || seg === Register_GS) {
          memSeg = seg;
          used |= 1 << segPos;
        }
        continue;
      }
      const isz = OP_REGSIZE[oi] as number;
      if (p + isz > lim) return p + isz - start > MAX_LENGTH ? DecodeStatus_Invalid : shortStatus;
      if (cls === OpClass_Imm2) {
        imm2 = bytes[p] as number;
        sizes[k] = 1;
        p += isz;
        continue;
      }
      if (isz === 1) {
        let v = bytes[p] as number;
        immHi = 0;
        if ((flags & RowFlag_SignExtImm) !== 0 && effOs > 8) {
          v = (v << 24) >> 24;
          if (effOs === 64) {
            immLo = v >>> 0;
            immHi = v < 0 ? 0xffffffff : 0;
            sizes[k] = 8;
          } else {
            immLo = effOs === 16 ? v & 0xffff : v >>> 0;
            sizes[k] = effOs / 8;
          }
        } else {
          immLo = v;
          sizes[k] = 1;
        }
      } else if (isz === 2) {
        immLo = (bytes[p] as number) | ((bytes[p + 1] as number) << 8);
        immHi = 0;
        sizes[k] = 2;
      } else if (isz === 4) {
        const v = (bytes[p] as number) | ((bytes[p + 1] as number) << 8) | ((bytes[p + 2] as number) << 16) | ((bytes[p + 3] as number) << 24);
        immLo = v >>> 0;
        const wide = rowOsz === 64 || (mode === OsMode_Default64 && effOs === 64);
        if (wide) {
          immHi = v < 0 ? 0xffffffff : 0;
          sizes[k] = 8;
        } else {
          immHi = 0;
          sizes[k] = 4;
        }
      } else {
        immLo = ((bytes[p] as number) | ((bytes[p + 1] as number) << 8) | ((bytes[p + 2] as number) << 16) | ((bytes[p + 3] as number) << 24)) >>> 0;
        immHi = ((bytes[p + 4] as number) | ((bytes[p + 5] as number) << 8) | ((bytes[p + 6] as number) << 16) | ((bytes[p + 7] as number) << 24)) >>> 0;
        sizes[k] = 8;
      }
      immSize = isz;
      p += isz;
    }
    const is4Op = ((info >> RowInfo_Is4) & 7) - 1;
    if (is4Op >= 0) {
      if (p >= lim) return shortStatus;
      regs[is4Op] = (ROW_IS4_BASE[code] as number) + ((bytes[p++] as number) >> 4);
    }
    const relSize = (info >> RowInfo_Rel) & 7;
    let branchTarget = 0;
    if (relSize !== 0) {
      if (p + relSize > lim) return p + relSize - start > MAX_LENGTH ? DecodeStatus_Invalid : shortStatus;
      let rel: number;
      if (relSize === 1) rel = ((bytes[p] as number) << 24) >> 24;
      else rel = (bytes[p] as number) | ((bytes[p + 1] as number) << 8) | ((bytes[p + 2] as number) << 16) | ((bytes[p + 3] as number) << 24);
      p += relSize;
      branchTarget = ip + (p - start) + rel;
    }

    // --- REX bookkeeping for formatters
    if (rex !== 0) {
      // a plain REX (0x40) matters when it selects spl/bpl/sil/dil
      if (byte4to7 !== 0 || (facts & RowFact_FixedLowByte) !== 0) rexUsed |= 0x10;
      const bits = rex & 15;
      if ((bits & ~rexUsed) === 0 && (bits !== 0 || (rexUsed & 0x10) !== 0)) used |= 1 << rexPos;
      out.rexUsed = rexUsed & 15;
    } else {
      out.rexUsed = 0;
    }
    if (vex === 2) {
      out.opMask = evexAaa !== 0 ? Register_K0 + evexAaa : Register_None;
      out.zeroingMasking = evexZ;
      out.evexRounding = evexB && mod === 3 ? ((flags & RowFlag_EvexEr) !== 0 ? 2 + vl : 1) : 0;
    } else {
      out.opMask = Register_None;
      out.zeroingMasking = false;
      out.evexRounding = 0;
    }
    out.ip = ip;
    out.length = p - start;
    out.code = code;
    out.mnemonic = ROW_MNEMONIC[code] as number;
    // Operand size: the GPR operand size when the row depends on it, else the first register's width.
    out.operandSize = rowOsz !== 0 || operandSize === 0 ? effOs / 8 : operandSize;
    out.addressSize = addr64 ? 8 : 4;
    out.prefixes = pfx;
    out.opCount = count;
    out.memSeg = memSeg;
    out.memBase = memBase;
    out.memIndex = memIndex;
    out.memScale = memScale;
    out.memDisp = memDisp;
    out.memDispSize = memDispSize;
    out.immLo = immLo;
    out.immHi = immHi;
    out.immSize = immSize;
    out.imm2 = imm2;
    out.branchTarget = branchTarget;
    out.memBroadcast = bcst;
    out.memBroadcastSize = bcstSize;
    out.prefixCount = np;
    out.prefixUsed = used;
    return DecodeStatus_Ok;
  }

  /** 32-bit views of `out`'s operand slots 0..3; an Instruction makes each array its own buffer. */
  private viewOperands(out: Instruction): void {
    this.kinds32 = new Uint32Array(out.opKind.buffer, out.opKind.byteOffset, 1);
    this.sizes32 = new Uint32Array(out.opSize.buffer, out.opSize.byteOffset, 1);
    this.regs32 = new Uint32Array(out.opReg.buffer, out.opReg.byteOffset, 2);
    this.record = out;
  }
}

/** disp8*N for an EVEX memory operand: the broadcast element size, else the memory operand's size. */
function disp8Scale(code: number, count: number, kinds: Uint8Array, bcst: boolean, bcstSize: number): number {
  if (bcst) return bcstSize;
  // Tuple T1S — VSIB (one gathered element; vm32/vm64 name the index width) and
  // compress/expand (one stored element): W0 a dword, W1 a qword.
  if (((ROW_FLAGS[code] as number) & (RowFlag_Vsib | RowFlag_EvexT1s)) !== 0) return (ROW_W[code] as number) === 2 ? 8 : 4;
  for (let k = 0; k < count; k++) {
    if (kinds[k] === OpKind_Memory) return (OP_MEMSIZE[code * 4 + k] as number) || 1;
  }
  return 1;
}
