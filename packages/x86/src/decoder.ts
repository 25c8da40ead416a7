import {
  OP_BCST, OP_CLASS, OP_ENC, OP_FIXED, OP_MEMSIZE, OP_REGSIZE, ROW_ASZ, ROW_FIXED_MODRM, ROW_FLAGS, ROW_MNEMONIC,
  ROW_MOD, ROW_OPCOUNT, ROW_OSMODE, ROW_OSZ, ROW_PFX, ROW_REG, ROW_VL, ROW_W, SLOT_MODRM, SLOT_ROWS, SLOT_START,
} from './generated/decode.generated.js';
import { Mnemonic } from './generated/mnemonic.generated.js';
import { DecodeStatus, type Instruction, type InstructionDecoder, OpKind, Prefix } from './instruction.js';
import { MandatoryPrefix, OpClass, OpEnc, OpMap, OsMode, RowFlag } from './operand.js';
import { Register } from './register.js';

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
    const shortStatus = avail >= MAX_LENGTH ? DecodeStatus.Invalid : DecodeStatus.NeedMoreBytes;
    let p = start;

    out.ip = ip;
    out.prefixes = 0;
    out.prefixCount = 0;
    out.prefixUsed = 0;
    out.rexUsed = 0;
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
    out.opMask = Register.None;
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
    let seg = Register.None;
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
        case 0x26: seg = Register.ES; segByte = b; segPos = np; break;
        case 0x2e: seg = Register.CS; segByte = b; segPos = np; break;
        case 0x36: seg = Register.SS; segByte = b; segPos = np; break;
        case 0x3e: seg = Register.DS; segByte = b; segPos = np; break;
        case 0x64: seg = Register.FS; segByte = b; segPos = np; break;
        case 0x65: seg = Register.GS; segByte = b; segPos = np; break;
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
    let map: number = OpMap.Legacy;
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
        map = b === 0x38 ? OpMap.M0F38 : OpMap.M0F3A;
        if (p >= lim) return shortStatus;
        b = bytes[p++] as number;
      } else {
        map = OpMap.M0F;
      }
    } else if (b === 0xc5 || b === 0xc4) {
      // VEX: 66/F2/F3/F0/REX before it are #UD.
      if (rex !== 0 || has66 || lock || lastF2F3 !== 0) return DecodeStatus.Invalid;
      vex = 1;
      if (p >= lim) return shortStatus;
      const v1 = bytes[p++] as number;
      let v2: number;
      if (b === 0xc5) {
        v2 = v1;
        rR = (~v1 >> 4) & 8;
        map = OpMap.Vex0F;
      } else {
        if (p >= lim) return shortStatus;
        v2 = bytes[p++] as number;
        rR = (~v1 >> 4) & 8;
        rX = (~v1 >> 3) & 8;
        rB = (~v1 >> 2) & 8;
        const mm = v1 & 0x1f;
        if (mm < 1 || mm > 3) return DecodeStatus.Invalid;
        map = OpMap.Vex0F - 1 + mm;
        rW = v2 & 0x80 ? REX_W : 0;
      }
      vvvv = (~v2 >> 3) & 15;
      vl = (v2 >> 2) & 1;
      pp = v2 & 3;
      if (p >= lim) return shortStatus;
      b = bytes[p++] as number;
    } else if (b === 0x62) {
      if (rex !== 0 || has66 || lock || lastF2F3 !== 0) return DecodeStatus.Invalid;
      vex = 2;
      if (p + 3 > lim) return p + 3 - start > MAX_LENGTH ? DecodeStatus.Invalid : shortStatus;
      const p0 = bytes[p] as number;
      const p1 = bytes[p + 1] as number;
      const p2 = bytes[p + 2] as number;
      p += 3;
      if ((p0 & 0x08) !== 0 || (p1 & 0x04) === 0) return DecodeStatus.Invalid;
      const mm = p0 & 7;
      if (mm < 1 || mm > 3) return DecodeStatus.Invalid;
      map = OpMap.Evex0F - 1 + mm;
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
          if (p + dispSize > lim) return p + dispSize - start > MAX_LENGTH ? DecodeStatus.Invalid : shortStatus;
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
      mand = pp === 0 ? MandatoryPrefix.None : pp === 1 ? MandatoryPrefix.P66 : pp === 2 ? MandatoryPrefix.PF3 : MandatoryPrefix.PF2;
    } else {
      mand = lastF2F3 === 0xf3 ? MandatoryPrefix.PF3 : lastF2F3 === 0xf2 ? MandatoryPrefix.PF2 : has66 ? MandatoryPrefix.P66 : MandatoryPrefix.None;
    }
    const wBit = rW !== 0 ? 1 : 0;
    const rowVl = vex === 2 && evexB && mod === 3 ? 2 : vl;
    let code = 0;
    let effOs = 0;
    const end = SLOT_START[slot + 1] as number;
    for (let i = SLOT_START[slot] as number; i < end; i++) {
      const c = SLOT_ROWS[i] as number;
      const rp = ROW_PFX[c] as number;
      if (rp !== MandatoryPrefix.Any && rp !== mand) continue;
      if (rp === MandatoryPrefix.Any && vex !== 0) continue;
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
      const o66 = has66 && rp !== MandatoryPrefix.P66;
      const mode = ROW_OSMODE[c] as number;
      const os = mode === OsMode.Force64 ? 64 : rW !== 0 ? 64 : o66 ? 16 : mode === OsMode.Default64 ? 64 : 32;
      const ro = ROW_OSZ[c] as number;
      if (ro !== 0 && ro !== os) continue;
      // 90 with REX.B is xchg r8, rax, not nop.
      if (rB !== 0 && slot === 0x90 && ROW_MNEMONIC[c] === Mnemonic.Nop) continue;
      code = c;
      effOs = os;
      break;
    }
    if (code === 0) return DecodeStatus.Invalid;
    const flags = ROW_FLAGS[code] as number;
    if (lock && ((flags & RowFlag.Lock) === 0 || mod === 3)) return DecodeStatus.Invalid;
    if ((flags & RowFlag.Vsib) !== 0) return DecodeStatus.Invalid;

    // --- prefixes: which were consumed, and the Prefix bits
    // A memory operand whose width does not follow the operand size (mov Sreg, r32/m16) ignores 66 and REX.W.
    let fixedMemSize = false;
    if (mod !== 3 && ((ROW_FLAGS[code] as number) & RowFlag.MemFixed) !== 0) fixedMemSize = true;
    else if (mod !== 3) {
      const n = ROW_OPCOUNT[code] as number;
      for (let k = 0; k < n; k++) {
        const oi = code * 4 + k;
        // mov Sreg's memory form is always 16-bit, whatever the operand size says.
        if (OP_CLASS[oi] === OpClass.Sreg) fixedMemSize = true;
      }
    }
    let used = 0;
    let rexUsed = 0;
    let pfx = 0;
    const rp = ROW_PFX[code] as number;
    const mode = ROW_OSMODE[code] as number;
    if (has66) {
      pfx |= Prefix.OperandSize;
      if (rp === MandatoryPrefix.P66 || (rp !== MandatoryPrefix.None && ((ROW_OSZ[code] as number) !== 0 || mode === OsMode.Default64) && !fixedMemSize)) used |= 1 << last66;
    }
    if (has67) pfx |= Prefix.AddressSize;
    if (lock) pfx |= Prefix.Lock;
    if (lastF2F3 !== 0) {
      if (rp === MandatoryPrefix.PF3 || rp === MandatoryPrefix.PF2) {
        used |= 1 << lastF2F3Pos;
      } else if (lastF2F3 === 0xf3) {
        pfx |= lock && (flags & (RowFlag.Xrelease | RowFlag.Lock)) !== 0 ? Prefix.Xrelease : Prefix.Rep;
        if ((flags & RowFlag.Xrelease) !== 0 && !lock && mod !== 3) pfx |= Prefix.Xrelease;
      } else {
        if ((flags & RowFlag.Bnd) !== 0) pfx |= Prefix.Bnd;
        else if (lock && (flags & (RowFlag.Xacquire | RowFlag.Lock)) !== 0) pfx |= Prefix.Xacquire;
        else pfx |= Prefix.Repne;
      }
    }
    if (rex !== 0) {
      pfx |= Prefix.Rex;
      if (rW !== 0) pfx |= Prefix.RexW;
    }
    if (vex === 1) pfx |= Prefix.Vex;
    else if (vex === 2) pfx |= Prefix.Evex;
    if (seg !== Register.None) {
      pfx |= Prefix.Segment;
      if (segByte === 0x3e && (flags & RowFlag.Notrack) !== 0 && mod === 3) pfx |= Prefix.Notrack;
    }
    if (((ROW_W[code] as number) !== 0 || ((ROW_OSZ[code] as number) !== 0 && mode !== OsMode.Force64)) && !fixedMemSize) rexUsed |= REX_W;
    else if (mode === OsMode.Default64 && rW !== 0) rexUsed |= REX_W;

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
      kinds[k] = OpKind.None;
      regs[k] = 0;
      sizes[k] = 0;
    }
    // immediates come after displacement in operand order; read them below
    let immPending = 0;
    for (let k = 0; k < count; k++) {
      const oi = code * 4 + k;
      const cls = OP_CLASS[oi] as number;
      const enc = OP_ENC[oi] as number;
      const rsz = OP_REGSIZE[oi] as number;
      // register number from the encoding field
      let n = 0;
      switch (enc) {
        case OpEnc.Reg: n = regField | rR | rR2; break;
        case OpEnc.Rm: n = rmField | rB | (vex === 2 && mod === 3 ? rX << 1 : 0); break;
        case OpEnc.Vvvv: n = vvvv; break;
        case OpEnc.Opcode: n = (opcode & 7) | rB; break;
        default: break;
      }
      const isMemForm = mod !== 3 && enc === OpEnc.Rm;
      switch (cls) {
        case OpClass.Gpr:
        case OpClass.GprOrMem:
          if (cls === OpClass.GprOrMem && isMemForm) {
            kinds[k] = OpKind.Memory;
            sizes[k] = OP_MEMSIZE[oi] as number;
            hasMem = true;
            if (operandSize === 0) operandSize = rsz;
            break;
          }
          if (enc === OpEnc.Reg) rexUsed |= REX_R;
          else if (enc === OpEnc.Rm || enc === OpEnc.Opcode) rexUsed |= REX_B;
          n &= 15;
          kinds[k] = OpKind.Register;
          sizes[k] = rsz;
          if (rsz === 1) {
            if (rexHigh || n < 4 || n > 7) regs[k] = Register.AL + n;
            else regs[k] = Register.AH + n - 4;
          } else {
            regs[k] = (rsz === 2 ? Register.AX : rsz === 4 ? Register.EAX : Register.RAX) + n;
          }
          if (operandSize === 0) operandSize = rsz;
          break;
        case OpClass.Mem:
          kinds[k] = OpKind.Memory;
          sizes[k] = OP_MEMSIZE[oi] as number;
          hasMem = true;
          break;
        case OpClass.Xmm: case OpClass.XmmOrMem:
        case OpClass.Ymm: case OpClass.YmmOrMem:
        case OpClass.Zmm: case OpClass.ZmmOrMem:
          if ((cls === OpClass.XmmOrMem || cls === OpClass.YmmOrMem || cls === OpClass.ZmmOrMem) && isMemForm) {
            kinds[k] = OpKind.Memory;
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
          if (enc === OpEnc.Reg) rexUsed |= REX_R;
          else if (enc === OpEnc.Rm) rexUsed |= REX_B;
          if (vex !== 2) n &= 15;
          kinds[k] = OpKind.Register;
          regs[k] = (cls <= OpClass.XmmOrMem ? Register.XMM0 : cls <= OpClass.YmmOrMem ? Register.YMM0 : Register.ZMM0) + n;
          sizes[k] = rsz;
          if (operandSize === 0) operandSize = rsz;
          break;
        case OpClass.Mmx: case OpClass.MmxOrMem:
        case OpClass.Kreg: case OpClass.KregOrMem:
          if ((cls === OpClass.MmxOrMem || cls === OpClass.KregOrMem) && isMemForm) {
            kinds[k] = OpKind.Memory;
            sizes[k] = OP_MEMSIZE[oi] as number;
            hasMem = true;
            break;
          }
          kinds[k] = OpKind.Register;
          regs[k] = (cls <= OpClass.MmxOrMem ? Register.MM0 : Register.K0) + (n & 7);
          sizes[k] = rsz;
          if (operandSize === 0) operandSize = rsz;
          break;
        case OpClass.Sreg:
          if (regField > 5) return DecodeStatus.Invalid;
          kinds[k] = OpKind.Register;
          regs[k] = Register.ES + regField;
          sizes[k] = 2;
          break;
        case OpClass.Creg:
          rexUsed |= REX_R;
          kinds[k] = OpKind.Register;
          regs[k] = Register.CR0 + (regField | rR);
          sizes[k] = 8;
          break;
        case OpClass.Dreg:
          rexUsed |= REX_R;
          kinds[k] = OpKind.Register;
          regs[k] = Register.DR0 + (regField | rR);
          sizes[k] = 8;
          break;
        case OpClass.St:
          kinds[k] = OpKind.Register;
          regs[k] = Register.ST0 + rmField;
          sizes[k] = 10;
          break;
        case OpClass.Fixed:
          kinds[k] = OpKind.Register;
          regs[k] = OP_FIXED[oi] as number;
          sizes[k] = rsz;
          if (operandSize === 0 && rsz <= 8) operandSize = rsz;
          break;
        case OpClass.One:
          kinds[k] = OpKind.Immediate;
          sizes[k] = 1;
          out.immLo = 1;
          break;
        case OpClass.Imm:
          kinds[k] = OpKind.Immediate;
          immPending |= 1 << k;
          break;
        case OpClass.Imm2:
          kinds[k] = OpKind.Immediate2;
          immPending |= 1 << k;
          break;
        case OpClass.Rel:
          kinds[k] = OpKind.NearBranch;
          relSize = rsz;
          sizes[k] = 8;
          break;
        case OpClass.Moffs:
          kinds[k] = OpKind.Memory;
          sizes[k] = OP_MEMSIZE[oi] as number;
          hasMem = true;
          immPending |= 1 << k;
          break;
        case OpClass.StrSrc:
          kinds[k] = OpKind.MemorySegRsi;
          sizes[k] = OP_MEMSIZE[oi] as number;
          hasMem = true;
          break;
        case OpClass.StrDst:
          kinds[k] = OpKind.MemoryEsRdi;
          sizes[k] = OP_MEMSIZE[oi] as number;
          hasMem = true;
          break;
        default:
          return DecodeStatus.Invalid;
      }
    }

    // --- memory operand (ModRM form)
    if (modrm >= 0 && mod !== 3) {
      const regBase = addr64 ? Register.RAX : Register.EAX;
      if (baseNum === 16) {
        out.memBase = addr64 ? Register.RIP : Register.EIP;
      } else if (baseNum >= 0) {
        out.memBase = regBase + baseNum;
        rexUsed |= REX_B;
      }
      if (indexNum >= 0) {
        out.memIndex = regBase + indexNum;
        rexUsed |= REX_X;
      }
      out.memScale = scale;
      // EVEX compresses disp8 by the memory operand's size (disp8*N).
      if (vex === 2 && dispSize === 1) disp *= this.disp8Scale(code, out);
      out.memDisp = disp;
      out.memDispSize = hasSib && baseNum < 0 ? 4 : dispSize;
    }
    if (hasMem && seg !== Register.None) {
      // In 64-bit mode only FS and GS change the address; CS/DS/ES/SS overrides are ignored.
      if (seg === Register.FS || seg === Register.GS) {
        out.memSeg = seg;
        used |= 1 << segPos;
      }
    }
    if (has67 && (hasMem || (ROW_ASZ[code] as number) !== 0)) used |= 1 << last67;
    if ((pfx & (Prefix.Rep | Prefix.Repne)) !== 0 && (flags & (RowFlag.Rep | RowFlag.Repe)) !== 0) used |= 1 << lastF2F3Pos;

    // --- immediates, in operand order, after the displacement
    for (let k = 0; immPending !== 0 && k < count; k++) {
      if ((immPending & (1 << k)) === 0) continue;
      immPending &= ~(1 << k);
      const oi = code * 4 + k;
      const cls = OP_CLASS[oi] as number;
      if (cls === OpClass.Moffs) {
        const asz = addr64 ? 8 : 4;
        if (p + asz > lim) return p + asz - start > MAX_LENGTH ? DecodeStatus.Invalid : shortStatus;
        const lo = ((bytes[p] as number) | ((bytes[p + 1] as number) << 8) | ((bytes[p + 2] as number) << 16) | ((bytes[p + 3] as number) << 24)) >>> 0;
        const hi = asz === 8 ? ((bytes[p + 4] as number) | ((bytes[p + 5] as number) << 8) | ((bytes[p + 6] as number) << 16) | ((bytes[p + 7] as number) << 24)) >>> 0 : 0;
        p += asz;
        out.immLo = lo;
        out.immHi = hi;
        // As a canonical (sign-extended) JS number, exact for every canonical address.
        out.memDisp = (hi | 0) * 4294967296 + lo;
        out.memDispSize = 8;
        if (seg === Register.FS || seg === Register.GS) {
          out.memSeg = seg;
          used |= 1 << segPos;
        }
        continue;
      }
      const isz = OP_REGSIZE[oi] as number;
      if (p + isz > lim) return p + isz - start > MAX_LENGTH ? DecodeStatus.Invalid : shortStatus;
      if (cls === OpClass.Imm2) {
        out.imm2 = bytes[p] as number;
        sizes[k] = 1;
        p += isz;
        continue;
      }
      let v: number;
      if (isz === 1) {
        v = bytes[p] as number;
        out.immHi = 0;
        if ((flags & RowFlag.SignExtImm) !== 0 && effOs > 8) {
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
        const wide = (ROW_OSZ[code] as number) === 64 || ((mode === OsMode.Default64) && effOs === 64);
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
    if (relSize !== 0) {
      if (p + relSize > lim) return p + relSize - start > MAX_LENGTH ? DecodeStatus.Invalid : shortStatus;
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
        if (kinds[k] === OpKind.Register && r >= Register.SPL && r <= Register.DIL) rexUsed |= 0x10;
      }
      const bits = rex & 15;
      if ((bits & ~rexUsed) === 0 && (bits !== 0 || (rexUsed & 0x10) !== 0)) used |= 1 << rexPos;
      out.rexUsed = rexUsed & 15;
    }
    if (vex === 2) {
      if (evexAaa !== 0) out.opMask = Register.K0 + evexAaa;
      out.zeroingMasking = evexZ;
      if (evexB && mod === 3) out.evexRounding = (flags & RowFlag.EvexSae) !== 0 ? 2 + vl : 1;
    }

    out.length = p - start;
    out.code = code;
    out.mnemonic = ROW_MNEMONIC[code] as number;
    out.prefixes = pfx;
    out.prefixUsed = used;
    // Operand size: the GPR operand size when the row depends on it, else the first register's width.
    if ((ROW_OSZ[code] as number) !== 0 || operandSize === 0) operandSize = effOs / 8;
    out.operandSize = operandSize;
    return DecodeStatus.Ok;
  }

  /** disp8*N for an EVEX memory operand: the broadcast element size, else the memory operand's size. */
  private disp8Scale(code: number, out: Instruction): number {
    if (out.memBroadcast) return out.memBroadcastSize;
    const count = ROW_OPCOUNT[code] as number;
    for (let k = 0; k < count; k++) {
      if (out.opKind[k] === OpKind.Memory) return OP_MEMSIZE[code * 4 + k] as number || 1;
    }
    return 1;
  }
}
