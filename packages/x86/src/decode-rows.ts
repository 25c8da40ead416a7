/**
 * Per-row and per-operand facts the decoder would otherwise work out for every instruction from
 * the generated columns (loops over OP_CLASS / OP_ENC, a switch per operand class), packed into a
 * few integer words so that the decoder reads one word per row and one per operand. Derived from
 * the opcode tables only, once at module load (a few thousand rows).
 */
import * as tables from './generated/decode.generated.js';
import { OpKind } from './instruction.js';
import { MandatoryPrefix, OpClass, OpEnc, OpMap, OsMode, RowFlag } from './operand.js';
import { Register } from './register.js';

const OP_CLASS = tables.OP_CLASS;
const OP_ENC = tables.OP_ENC;
const OP_FIXED = tables.OP_FIXED;
const OP_MEMSIZE = tables.OP_MEMSIZE;
const OP_REGSIZE = tables.OP_REGSIZE;
const SLOT_ROWS = tables.SLOT_ROWS;
const SLOT_START = tables.SLOT_START;
const ROW_FLAGS = tables.ROW_FLAGS;
const ROW_OPCOUNT = tables.ROW_OPCOUNT;
const ROW_OSMODE = tables.ROW_OSMODE;
const ROW_OSZ = tables.ROW_OSZ;
const ROW_PFX = tables.ROW_PFX;
const ROW_W = tables.ROW_W;

/** RowFact bits (the low bits of `ROW_INFO`). */
export const enum RowFact {
  /** An operand is encoded in VEX/EVEX.vvvv (otherwise vvvv must be 1111b). */
  UsesVvvv = 1 << 0,
  /** The memory form's width does not follow the operand size: RowFlag.MemFixed, or a Sreg operand (mov Sreg, r32/m16). */
  FixedMemSize = 1 << 1,
  /** The row requires 66 (MandatoryPrefix.P66): 66 is always consumed. */
  Mandatory66 = 1 << 2,
  /** 66 is consumed as the operand-size prefix (unless the memory width is fixed). */
  Uses66 = 1 << 3,
  /** REX.W is consulted (W requirement, or an operand size that REX.W changes) unless the memory width is fixed. */
  UsesW = 1 << 4,
  /** VSIB row whose first operand is not memory: a gather (its registers must differ). */
  Gather = 1 << 5,
  /** An operand of a class the decoder does not know: the row decodes as Invalid. */
  BadOperand = 1 << 6,
  /** A Sreg operand: ModRM.reg must name ES..GS. */
  Sreg = 1 << 7,
  /** The Sreg operand is the destination (operand 0): MOV cannot load CS. */
  SregFirst = 1 << 8,
  /** The shift-by-one constant: an Immediate operand of value 1. */
  One = 1 << 9,
  /** A fixed operand is SPL..DIL (a plain REX matters for it). */
  FixedLowByte = 1 << 10,
}

/** How an operand decodes, from its OpClass and OpEnc (the templates are made from it). */
export const enum OpAction {
  Invalid = 0,
  /** VEX /is4: the register is imm8[7:4]. */
  Is4 = 1,
  /** A general-purpose register. */
  Gpr = 2,
  /** An r/m operand: memory with mod != 3, else Gpr. */
  GprOrMem = 3,
  /** An xmm/ymm/zmm register. */
  Vec = 4,
  VecOrMem = 5,
  /** An mm or k register, numbered by the low three bits. */
  MmxK = 6,
  MmxKOrMem = 7,
  Mem = 8,
  Sreg = 9,
  Creg = 10,
  Dreg = 11,
  St = 12,
  Fixed = 13,
  One = 14,
  Imm = 15,
  Imm2 = 16,
  Rel = 17,
  Moffs = 18,
  StrSrc = 19,
  StrDst = 20,
}

/** Where a register operand's number comes from (a template's shift is NumberSource * 5). */
export const enum NumberSource {
  None = 0,
  /** ModRM.reg | REX.R | EVEX.R'. */
  Reg = 1,
  /** ModRM.rm | REX.B (| EVEX.X for EVEX register forms). */
  Rm = 2,
  Vvvv = 3,
  /** Low three opcode bits | REX.B. */
  Opcode = 4,
}

/**
 * Layout of an operand template word (`OPT`): OpKind in bits 0-2; the shift (NumberSource * 5)
 * that picks the register number out of the decoder's packed fields in bits 3-7; the number's
 * width in bits in bits 8-10 (0, 3, 4 or 5: the mask); 1 in bit 11 for a byte register (4..7
 * are AH..BH without REX); the REX bits consulted in bits 12-14; the register base in bits 15-22;
 * the operand size (as the Uint8 `opSize` holds it) in bits 23-30.
 */
export const enum Opt {
  Shift = 3,
  Width = 8,
  Byte = 11,
  Rex = 12,
  Base = 15,
  Size = 23,
}

/**
 * Layout of a row word (`ROW_INFO`): RowFact bits 0-10; immediates pending (bit k: operand k) in
 * bits 11-14; the rel8/rel32 size in bits 15-17; the /is4 operand + 1 in bits 18-20; the operand
 * count in bits 21-23; OsMode in bits 24-25; ROW_OSZ / 16 in bits 26-28; MandatoryPrefix in bits 29-31.
 */
export const enum RowInfo {
  Facts = 0x7ff,
  Imm = 11,
  Rel = 15,
  Is4 = 18,
  Count = 21,
  OsMode = 24,
  Osz = 26,
  Pfx = 29,
}

function actionOf(cls: number, enc: number): number {
  if (enc === OpEnc.Is4) return OpAction.Is4;
  const rmMem = enc === OpEnc.Rm;
  switch (cls) {
    case OpClass.Gpr: return OpAction.Gpr;
    case OpClass.GprOrMem: return rmMem ? OpAction.GprOrMem : OpAction.Gpr;
    case OpClass.Xmm: case OpClass.Ymm: case OpClass.Zmm: return OpAction.Vec;
    case OpClass.XmmOrMem: case OpClass.YmmOrMem: case OpClass.ZmmOrMem: return rmMem ? OpAction.VecOrMem : OpAction.Vec;
    case OpClass.Mmx: case OpClass.Kreg: return OpAction.MmxK;
    case OpClass.MmxOrMem: case OpClass.KregOrMem: return rmMem ? OpAction.MmxKOrMem : OpAction.MmxK;
    case OpClass.Mem: return OpAction.Mem;
    case OpClass.Sreg: return OpAction.Sreg;
    case OpClass.Creg: return OpAction.Creg;
    case OpClass.Dreg: return OpAction.Dreg;
    case OpClass.St: return OpAction.St;
    case OpClass.Fixed: return OpAction.Fixed;
    case OpClass.One: return OpAction.One;
    case OpClass.Imm: return OpAction.Imm;
    case OpClass.Imm2: return OpAction.Imm2;
    case OpClass.Rel: return OpAction.Rel;
    case OpClass.Moffs: return OpAction.Moffs;
    case OpClass.StrSrc: return OpAction.StrSrc;
    case OpClass.StrDst: return OpAction.StrDst;
    default: return OpAction.Invalid;
  }
}

/** A template word (layout: `Opt`). */
function word(kind: number, size: number, base: number, src: number, width: number, byteReg: number, rexBit: number): number {
  return kind | (src * 5) << Opt.Shift | width << Opt.Width | byteReg << Opt.Byte | rexBit << Opt.Rex | base << Opt.Base | (size & 0xff) << Opt.Size;
}

interface Built {
  opt: Int32Array;
  info: Int32Array;
  form: Uint8Array;
  vsibSize: Uint8Array;
  is4Base: Uint16Array;
}

/**
 * One pass over the rows (module load runs it once, unoptimised, so it does each thing once):
 * the row words, and the operand templates of the memory form (0) and the mod = 3 form (1).
 */
function build(): Built {
  const rows = ROW_PFX.length;
  const out: Built = {
    opt: new Int32Array(rows * 8), info: new Int32Array(rows), form: new Uint8Array(rows * 2), vsibSize: new Uint8Array(rows), is4Base: new Uint16Array(rows),
  };
  // EVEX rows number vector registers 0..31 (R', X, V'); SLOT_ROWS lists the slots in map order.
  const evexRow = new Uint8Array(rows);
  for (let i = SLOT_START[OpMap.Evex0F * 256] as number; i < SLOT_ROWS.length; i++) evexRow[SLOT_ROWS[i] as number] = 1;
  for (let c = 1; c < rows; c++) {
    const rp = ROW_PFX[c] as number;
    const mode = ROW_OSMODE[c] as number;
    const osz = ROW_OSZ[c] as number;
    const rowFlags = ROW_FLAGS[c] as number;
    const count = ROW_OPCOUNT[c] as number;
    let facts = 0;
    if ((rowFlags & RowFlag.MemFixed) !== 0) facts |= RowFact.FixedMemSize;
    if (rp === MandatoryPrefix.P66) facts |= RowFact.Mandatory66;
    if (rp !== MandatoryPrefix.None && (osz !== 0 || mode === OsMode.Default64)) facts |= RowFact.Uses66;
    if ((ROW_W[c] as number) !== 0 || (osz !== 0 && mode !== OsMode.Force64)) facts |= RowFact.UsesW;
    if (OP_CLASS[c * 4] !== OpClass.Mem) facts |= RowFact.Gather;
    let pending = 0;
    let relSize = 0;
    let is4 = -1;
    // operand size (the first register or r/m width) and memory access, per form
    let size0 = 0;
    let size1 = 0;
    let mem0 = 0;
    let mem1 = 0;
    for (let k = 0; k < count; k++) {
      const oi = c * 4 + k;
      const cls = OP_CLASS[oi] as number;
      const enc = OP_ENC[oi] as number;
      const rsz = OP_REGSIZE[oi] as number;
      const memSize = OP_MEMSIZE[oi] as number;
      const src = enc === OpEnc.Reg ? NumberSource.Reg : enc === OpEnc.Rm ? NumberSource.Rm : enc === OpEnc.Vvvv ? NumberSource.Vvvv : enc === OpEnc.Opcode ? NumberSource.Opcode : NumberSource.None;
      if (enc === OpEnc.Vvvv) facts |= RowFact.UsesVvvv;
      // mov Sreg's memory form is always 16-bit, whatever the operand size says
      if (cls === OpClass.Sreg) facts |= RowFact.FixedMemSize;
      const act = actionOf(cls, enc);
      // the memory form's template, then the mod = 3 one where they differ
      let w0 = 0;
      let w1 = -1;
      switch (act) {
        case OpAction.Gpr:
        case OpAction.GprOrMem: {
          const base = rsz === 1 ? Register.AL : rsz === 2 ? Register.AX : rsz === 4 ? Register.EAX : Register.RAX;
          // the REX bits it consults (REX layout: R 4, B 1), as the formatters need them
          const reg = word(OpKind.Register, rsz, base, src, 4, rsz === 1 ? 1 : 0, enc === OpEnc.Reg ? 4 : enc === OpEnc.Rm || enc === OpEnc.Opcode ? 1 : 0);
          if (act === OpAction.Gpr) w0 = reg;
          else {
            w0 = word(OpKind.Memory, memSize, 0, 0, 0, 0, 0);
            mem0 = 1;
            w1 = reg;
          }
          if (size0 === 0) size0 = rsz;
          if (size1 === 0) size1 = rsz;
          break;
        }
        case OpAction.Vec:
        case OpAction.VecOrMem: {
          const base = cls <= OpClass.XmmOrMem ? Register.XMM0 : cls <= OpClass.YmmOrMem ? Register.YMM0 : Register.ZMM0;
          const reg = word(OpKind.Register, rsz, base, src, evexRow[c] === 1 ? 5 : 4, 0, enc === OpEnc.Reg ? 4 : enc === OpEnc.Rm ? 1 : 0);
          if (act === OpAction.Vec) w0 = reg;
          else {
            w0 = word(OpKind.Memory, memSize, 0, 0, 0, 0, 0); // a broadcast replaces the size (decoder)
            mem0 = 1;
            w1 = reg;
          }
          if (size0 === 0) size0 = rsz;
          if (size1 === 0) size1 = rsz;
          break;
        }
        case OpAction.MmxK:
        case OpAction.MmxKOrMem: {
          const reg = word(OpKind.Register, rsz, cls <= OpClass.MmxOrMem ? Register.MM0 : Register.K0, src, 3, 0, 0);
          if (act === OpAction.MmxK) {
            w0 = reg;
            if (size0 === 0) size0 = rsz;
          } else {
            w0 = word(OpKind.Memory, memSize, 0, 0, 0, 0, 0);
            mem0 = 1;
            w1 = reg;
          }
          if (size1 === 0) size1 = rsz;
          break;
        }
        case OpAction.Mem:
        case OpAction.Moffs:
          w0 = word(OpKind.Memory, memSize, 0, 0, 0, 0, 0);
          mem0 = mem1 = 1;
          if (act === OpAction.Moffs) pending |= 1 << k;
          break;
        case OpAction.StrSrc:
        case OpAction.StrDst:
          w0 = word(act === OpAction.StrSrc ? OpKind.MemorySegRsi : OpKind.MemoryEsRdi, memSize, 0, 0, 0, 0, 0);
          mem0 = mem1 = 1;
          break;
        case OpAction.Sreg:
          // ModRM.reg alone; the decoder checks it names ES..GS (and not CS as a destination)
          w0 = word(OpKind.Register, 2, Register.ES, NumberSource.Reg, 3, 0, 0);
          facts |= RowFact.Sreg | (k === 0 ? RowFact.SregFirst : 0);
          break;
        case OpAction.Creg:
        case OpAction.Dreg:
          // ModRM.reg | REX.R
          w0 = word(OpKind.Register, 8, act === OpAction.Creg ? Register.CR0 : Register.DR0, NumberSource.Reg, 4, 0, 4);
          break;
        case OpAction.St:
          // ModRM.rm alone
          w0 = word(OpKind.Register, 10, Register.ST0, NumberSource.Rm, 3, 0, 0);
          break;
        case OpAction.Fixed: {
          const fixed = OP_FIXED[oi] as number;
          w0 = word(OpKind.Register, rsz, fixed, 0, 0, 0, 0);
          if (fixed >= Register.SPL && fixed <= Register.DIL) facts |= RowFact.FixedLowByte;
          if (rsz <= 8) {
            if (size0 === 0) size0 = rsz;
            if (size1 === 0) size1 = rsz;
          }
          break;
        }
        case OpAction.One:
          w0 = word(OpKind.Immediate, 1, 0, 0, 0, 0, 0);
          facts |= RowFact.One;
          break;
        case OpAction.Imm:
        case OpAction.Imm2:
          // the size is set with the immediate
          w0 = word(act === OpAction.Imm ? OpKind.Immediate : OpKind.Immediate2, 0, 0, 0, 0, 0, 0);
          pending |= 1 << k;
          break;
        case OpAction.Rel:
          w0 = word(OpKind.NearBranch, 8, 0, 0, 0, 0, 0);
          relSize = rsz;
          break;
        case OpAction.Is4:
          // the register (imm8[7:4]) is set with the immediates
          w0 = word(OpKind.Register, rsz, 0, 0, 0, 0, 0);
          is4 = k;
          out.is4Base[c] = cls <= OpClass.XmmOrMem ? Register.XMM0 : Register.YMM0;
          break;
        default:
          facts |= RowFact.BadOperand; // the decoder returns Invalid
          break;
      }
      out.opt[c * 8 + k] = w0;
      out.opt[c * 8 + 4 + k] = w1 === -1 ? w0 : w1;
      // VSIB: the index registers' width is the (last) memory operand's OP_REGSIZE
      if (cls === OpClass.Mem && (rowFlags & RowFlag.Vsib) !== 0) out.vsibSize[c] = rsz;
    }
    out.form[c * 2] = size0 | (mem0 << 7);
    out.form[c * 2 + 1] = size1 | (mem1 << 7);
    out.info[c] = facts | pending << RowInfo.Imm | relSize << RowInfo.Rel | (is4 + 1) << RowInfo.Is4 | count << RowInfo.Count |
      mode << RowInfo.OsMode | (osz / 16) << RowInfo.Osz | rp << RowInfo.Pfx;
  }
  return out;
}

const built = build();
/** Operand templates per (Code * 2 + form) * 4 + operand, form 1 for mod = 3 (layout: `Opt`); zero past the row's operands. */
export const OPT: Int32Array = built.opt;
/** Per Code: RowFact bits, immediates, rel size, /is4 operand, operand count, OsMode, ROW_OSZ, ROW_PFX (layout: `RowInfo`). */
export const ROW_INFO: Int32Array = built.info;
/**
 * Per Code * 2 + form: the operand size the operands give (bits 0-6; the first register or r/m
 * width), and bit 7 when an operand accesses memory.
 */
export const ROW_FORM: Uint8Array = built.form;
/** Per VSIB row (Code): the index registers' width in bytes (16 xmm, 32 ymm, else zmm). */
export const ROW_VSIB_SIZE: Uint8Array = built.vsibSize;
/** Per row: the register class base of the /is4 operand. */
export const ROW_IS4_BASE: Uint16Array = built.is4Base;
