import { Register } from '../register.js';
import { MandatoryPrefix, OpClass, OpEnc, OpMap, OsMode, RowFlag } from '../operand.js';
import type { Row } from './row.js';

/** One operand of a parsed row. */
export interface ParsedOperand {
  /** The SDM token, e.g. `r/m64`, `xmm2/m128/m32bcst`. */
  readonly token: string;
  readonly cls: OpClass;
  readonly enc: OpEnc;
  /** Register width in bytes when the operand is a register (or the immediate/branch size). */
  readonly regSize: number;
  /** Access width in bytes when the operand is memory (0 = not applicable / unsized). */
  readonly memSize: number;
  /** Broadcast element size for mNNbcst forms, else 0. */
  readonly bcstSize: number;
  /** The fixed register of an implicit operand (AL, CL, DX, ST0...). */
  readonly fixed: Register;
  /** `r`, `w`, `rw` or `n`. */
  readonly access: string;
}

/** A row with its SDM strings parsed into numbers: what the generator and the assembler work from. */
export interface ParsedRow {
  readonly row: Row;
  /** Code enum member name (`Add_rm64_r64`). */
  readonly codeName: string;
  /** Mnemonic enum member name (`Add`). */
  readonly mnemonicName: string;
  readonly map: OpMap;
  /** The opcode byte (for `+r` rows, with the low three bits clear). */
  readonly opcode: number;
  /** `+rb/+rw/+rd/+ro`: the register is in the low three opcode bits. */
  readonly plusR: boolean;
  readonly pfx: MandatoryPrefix;
  /** 0 = W ignored, 1 = W0 required, 2 = W1 required (REX.W / VEX.W / EVEX.W). */
  readonly w: number;
  readonly hasModrm: boolean;
  /** ModRM.reg value the row needs (`/digit`), or -1. */
  readonly modrmReg: number;
  /** 0 = any mod, 1 = memory only, 2 = register only (mod == 3). */
  readonly modKind: number;
  /** A complete fixed ModRM byte (`0F 01 D0`), or -1. */
  readonly fixedModrm: number;
  /** Operand size in bits the row requires (16/32/64), or 0 when it does not depend on it. */
  readonly osz: number;
  readonly osMode: OsMode;
  /** Address size the row requires (4 or 8 bytes), or 0. */
  readonly asz: number;
  /** Vector length the row requires (0 = 128, 1 = 256, 2 = 512), or -1 (LIG / not vector). */
  readonly vl: number;
  readonly isVex: boolean;
  readonly isEvex: boolean;
  /** Immediate field sizes in encoding order (bytes). */
  readonly immSizes: readonly number[];
  readonly flags: number;
  readonly operands: readonly ParsedOperand[];
}

const MEM_SIZES: Record<string, number> = {
  m: 0, mem: 0, m8: 1, m16: 2, m32: 4, m64: 8, m128: 16, m256: 32, m512: 64,
  'm16&64': 10, 'm16:32': 6, 'm16:64': 10, m32fp: 4, m64fp: 8, m80fp: 10, m80dec: 10, m80bcd: 10, m16int: 2, m32int: 4, m64int: 8,
  m2byte: 2, 'm14/28byte': 28, 'm94/108byte': 108, m512byte: 512,
};

const FIXED: Record<string, [Register, number]> = {
  AL: [Register.AL, 1], CL: [Register.CL, 1], AX: [Register.AX, 2], DX: [Register.DX, 2],
  EAX: [Register.EAX, 4], RAX: [Register.RAX, 8], 'ST(0)': [Register.ST0, 10],
  ECX: [Register.ECX, 4], EDX: [Register.EDX, 4], FS: [Register.FS, 2], GS: [Register.GS, 2],
  '<XMM0>': [Register.XMM0, 16],
};

const VEC: Record<string, [OpClass, OpClass, number]> = {
  xmm: [OpClass.Xmm, OpClass.XmmOrMem, 16], ymm: [OpClass.Ymm, OpClass.YmmOrMem, 32], zmm: [OpClass.Zmm, OpClass.ZmmOrMem, 64],
  mm: [OpClass.Mmx, OpClass.MmxOrMem, 8], k: [OpClass.Kreg, OpClass.KregOrMem, 8],
};

interface OperandShape { cls: OpClass; regSize: number; memSize: number; bcstSize: number; fixed: Register }

function operandShape(tok: string): OperandShape {
  const shape = (cls: OpClass, regSize: number, memSize = 0, bcstSize = 0, fixed = Register.None): OperandShape =>
    ({ cls, regSize, memSize, bcstSize, fixed });
  let m = /^r(8|16|32|64)$/.exec(tok);
  if (m) return shape(OpClass.Gpr, Number(m[1]) / 8);
  m = /^r\/m(8|16|32|64)$/.exec(tok);
  if (m) return shape(OpClass.GprOrMem, Number(m[1]) / 8, Number(m[1]) / 8);
  m = /^r(16|32|64)\/m(8|16|32|64)$/.exec(tok);
  if (m) return shape(OpClass.GprOrMem, Number(m[1]) / 8, Number(m[2]) / 8);
  if (tok in MEM_SIZES) return shape(OpClass.Mem, 0, MEM_SIZES[tok] ?? 0);
  // VSIB (gathers): vm32x = 32-bit indices in an xmm register. regSize = index vector width, memSize = index size
  // (the element size is the instruction's: W0 dword, W1 qword).
  m = /^vm(32|64)([xyz])$/.exec(tok);
  if (m) return shape(OpClass.Mem, m[2] === 'x' ? 16 : m[2] === 'y' ? 32 : 64, Number(m[1]) / 8);
  m = /^imm(8|16|32|64)$/.exec(tok);
  if (m) return shape(OpClass.Imm, Number(m[1]) / 8);
  m = /^rel(8|32)$/.exec(tok);
  if (m) return shape(OpClass.Rel, Number(m[1]) / 8);
  m = /^moffs(8|16|32|64)$/.exec(tok);
  if (m) return shape(OpClass.Moffs, 8, Number(m[1]) / 8);
  const fixed = FIXED[tok];
  if (fixed) return shape(OpClass.Fixed, fixed[1], 0, 0, fixed[0]);
  if (tok === '1') return shape(OpClass.One, 1);
  if (tok === 'ST(i)') return shape(OpClass.St, 10);
  if (tok === 'Sreg') return shape(OpClass.Sreg, 2);
  if (tok === 'CRn') return shape(OpClass.Creg, 8);
  if (tok === 'DRn') return shape(OpClass.Dreg, 8);
  // vector and mask registers: xmm, xmm1, xmm2/m128, ymm3/m256/m32bcst, mm/m64, k2/m64
  m = /^(xmm|ymm|zmm|mm|k)[0-9]?(?:\/m(8|16|32|64|128|256|512))?(?:\/m(16|32|64)bcst)?$/.exec(tok);
  if (m) {
    const v = VEC[m[1] ?? ''];
    if (v) {
      if (m[2] === undefined) return shape(v[0], v[2]);
      return shape(v[1], v[2], Number(m[2]) / 8, m[3] === undefined ? 0 : Number(m[3]) / 8);
    }
  }
  // GPR in a VEX row (BMI): r32a, r64b...
  m = /^r(32|64)[ab]?$/.exec(tok);
  if (m) return shape(OpClass.Gpr, Number(m[1]) / 8);
  throw new Error(`unknown operand token '${tok}'`);
}

const ENC_LETTER: Record<string, OpEnc> = {
  R: OpEnc.Reg, M: OpEnc.Rm, V: OpEnc.Vvvv, I: OpEnc.Imm, D: OpEnc.Rel, O: OpEnc.Opcode, Z: OpEnc.Implicit,
  S: OpEnc.Is4, X: OpEnc.Implicit, Y: OpEnc.Implicit,
};

function isRegClass(c: OpClass): boolean {
  return c === OpClass.Gpr || c === OpClass.Xmm || c === OpClass.Ymm || c === OpClass.Zmm || c === OpClass.Mmx ||
    c === OpClass.Kreg || c === OpClass.Sreg || c === OpClass.Creg || c === OpClass.Dreg || c === OpClass.St;
}

function isRmClass(c: OpClass): boolean {
  return c === OpClass.GprOrMem || c === OpClass.Mem || c === OpClass.XmmOrMem || c === OpClass.YmmOrMem ||
    c === OpClass.ZmmOrMem || c === OpClass.MmxOrMem || c === OpClass.KregOrMem;
}

function codeOperandName(tok: string): string {
  return tok
    .replace(/^(xmm|ymm|zmm|mm)[0-9]/, '$1')
    .replace(/^k[0-9]/, 'kr')
    .replace(/^(r(?:32|64))[ab]$/, '$1')
    .replace(/\/m(16|32|64)bcst$/, 'b$1')
    .replace('ST(i)', 'sti').replace('ST(0)', 'st0')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

/** Parse one table row. Throws with the row text on a malformed row. */
export function parseRow(row: Row): ParsedRow {
  try {
    return parseRowUnchecked(row);
  } catch (e) {
    throw new Error(`${row.op} | ${row.ins}: ${(e as Error).message}`);
  }
}

function parseRowUnchecked(row: Row): ParsedRow {
  let map = OpMap.Legacy;
  let opcode = -1;
  let plusR = false;
  let pfx = MandatoryPrefix.Any;
  let w = 0;
  let hasModrm = false;
  let modrmReg = -1;
  let modKind = 0;
  let fixedModrm = -1;
  let vl = -1;
  let isVex = false;
  let isEvex = false;
  let x87Reg = false;
  const immSizes: number[] = [];
  const toks = row.op.trim().split(/\s+/);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] ?? '';
    const next = toks[i + 1];
    if (t === 'NP') { pfx = MandatoryPrefix.None; continue; }
    if ((t === '66' || t === 'F2' || t === 'F3') && opcode < 0 && map === OpMap.Legacy && next !== undefined) {
      pfx = t === '66' ? MandatoryPrefix.P66 : t === 'F3' ? MandatoryPrefix.PF3 : MandatoryPrefix.PF2;
      continue;
    }
    if (t === 'REX.W') { w = 2; continue; }
    if (t.startsWith('VEX.') || t.startsWith('EVEX.')) {
      isEvex = t.startsWith('EVEX.');
      isVex = !isEvex;
      pfx = MandatoryPrefix.None;
      let vmap = 1;
      for (const part of t.split('.').slice(1)) {
        if (part === '128' || part === 'L0' || part === 'LZ') vl = 0;
        else if (part === '256' || part === 'L1') vl = 1;
        else if (part === '512') vl = 2;
        else if (part === 'LIG') vl = -1;
        else if (part === '66') pfx = MandatoryPrefix.P66;
        else if (part === 'F3') pfx = MandatoryPrefix.PF3;
        else if (part === 'F2') pfx = MandatoryPrefix.PF2;
        else if (part === '0F') vmap = 1;
        else if (part === '0F38') vmap = 2;
        else if (part === '0F3A') vmap = 3;
        else if (part === 'W0') w = 1;
        else if (part === 'W1') w = 2;
        else if (part === 'WIG' || part === 'NDS' || part === 'NDD' || part === 'DDS') { /* no constraint */ }
        else throw new Error(`bad VEX/EVEX part ${part}`);
      }
      map = (isEvex ? OpMap.Evex0F - 1 : OpMap.Vex0F - 1) + vmap;
      continue;
    }
    if (t === '/r') { hasModrm = true; continue; }
    let m = /^\/([0-7])$/.exec(t);
    if (m) { hasModrm = true; modrmReg = Number(m[1]); continue; }
    if (t === 'ib' || t === 'iw' || t === 'id' || t === 'io') {
      immSizes.push(t === 'ib' ? 1 : t === 'iw' ? 2 : t === 'id' ? 4 : 8);
      continue;
    }
    if (t === 'cb' || t === 'cd') { immSizes.push(t === 'cb' ? 1 : 4); continue; }
    if (t === '/is4') { immSizes.push(1); continue; }
    m = /^([0-9A-F]{2})\+r[bwdo]$/.exec(t);
    if (m) { opcode = Number.parseInt(m[1] ?? '', 16); plusR = true; continue; }
    m = /^([0-9A-F]{2})\+i$/.exec(t);
    if (m) {
      const b = Number.parseInt(m[1] ?? '', 16);
      hasModrm = true; modrmReg = (b >> 3) & 7; modKind = 2; x87Reg = true;
      continue;
    }
    m = /^[0-9A-F]{2}$/.exec(t);
    if (m) {
      const b = Number.parseInt(t, 16);
      if (opcode < 0) {
        if (map === OpMap.Legacy && b === 0x0f && !isVex && !isEvex) { map = OpMap.M0F; continue; }
        if (map === OpMap.M0F && (b === 0x38 || b === 0x3a) && opcode < 0) { map = b === 0x38 ? OpMap.M0F38 : OpMap.M0F3A; continue; }
        opcode = b;
      } else {
        hasModrm = true; fixedModrm = b;
      }
      continue;
    }
    throw new Error(`bad opcode token ${t}`);
  }
  if (opcode < 0) throw new Error('no opcode byte');

  // Instruction column: mnemonic, operands, EVEX decorations.
  let flags = 0;
  let ins = row.ins;
  if (ins.includes('{k1}')) flags |= RowFlag.EvexK;
  if (ins.includes('{z}')) flags |= RowFlag.EvexZ;
  if (ins.includes('{sae}')) flags |= RowFlag.EvexSae;
  if (ins.includes('{er}')) flags |= RowFlag.EvexEr;
  ins = ins.replace(/\s*\{(k1|z|sae|er)\}/g, '');
  const sp = ins.indexOf(' ');
  const mnem = sp < 0 ? ins : ins.slice(0, sp);
  const opToks = sp < 0 ? [] : ins.slice(sp + 1).split(',').map((s) => s.trim());
  const shapes = opToks.map(operandShape);
  if (shapes.some((s) => s.bcstSize !== 0)) flags |= RowFlag.EvexBcst;
  if (opToks.some((t) => /^vm(32|64)[xyz]$/.test(t))) flags |= RowFlag.Vsib;

  // Operand encodings: explicit `en`, else inferred the way the SDM's Op/En columns read.
  const encs: OpEnc[] = [];
  if (row.en !== undefined) {
    if (row.en.length !== opToks.length) throw new Error('en length does not match the operands');
    for (const ch of row.en) {
      const e = ENC_LETTER[ch];
      if (e === undefined) throw new Error(`bad en letter ${ch}`);
      encs.push(e);
    }
  } else {
    const hasRm = shapes.some((s) => isRmClass(s.cls));
    const regIdx = shapes.map((s, i) => (isRegClass(s.cls) ? i : -1)).filter((i) => i >= 0);
    // Which register operands take which field, in order.
    let order: OpEnc[];
    if (plusR) order = [OpEnc.Opcode];
    else if (x87Reg) order = [OpEnc.Rm];
    else if (modrmReg >= 0) order = isVex || isEvex ? [OpEnc.Vvvv, OpEnc.Rm] : [OpEnc.Rm];
    else if (isVex || isEvex) order = hasRm ? [OpEnc.Reg, OpEnc.Vvvv] : regIdx.length >= 3 ? [OpEnc.Reg, OpEnc.Vvvv, OpEnc.Rm] : [OpEnc.Reg, OpEnc.Rm];
    else order = hasRm ? [OpEnc.Reg] : [OpEnc.Reg, OpEnc.Rm];
    let ri = 0;
    for (const s of shapes) {
      if (s.cls === OpClass.Imm) encs.push(OpEnc.Imm);
      else if (s.cls === OpClass.Rel) encs.push(OpEnc.Rel);
      else if (s.cls === OpClass.Fixed || s.cls === OpClass.One) encs.push(OpEnc.Implicit);
      else if (s.cls === OpClass.Moffs) encs.push(OpEnc.Imm);
      else if (isRmClass(s.cls)) encs.push(OpEnc.Rm);
      else if (isRegClass(s.cls)) {
        const e = order[ri++];
        if (e === undefined) throw new Error('cannot infer operand encoding; give `en`');
        encs.push(e);
      } else throw new Error('cannot infer operand encoding');
    }
  }
  const accWords = (row.acc ?? '').split(/\s+/).filter((x) => x !== '');
  let immSeen = 0;
  const operands: ParsedOperand[] = shapes.map((s, i) => {
    let cls = s.cls;
    const enc = encs[i] ?? OpEnc.None;
    const letter = row.en?.[i];
    if (letter === 'X') cls = OpClass.StrSrc;
    if (letter === 'Y') cls = OpClass.StrDst;
    if (letter === 'S') cls = s.cls; // is4 register
    if (cls === OpClass.Imm && immSeen++ === 1) cls = OpClass.Imm2;
    const memSize = cls === OpClass.StrSrc || cls === OpClass.StrDst ? s.regSize || s.memSize : s.memSize;
    return {
      token: opToks[i] ?? '', cls, enc, regSize: s.regSize, memSize, bcstSize: s.bcstSize, fixed: s.fixed,
      access: accWords[i] ?? (i === 0 ? 'rw' : 'r'),
    };
  });

  // ModRM.mod constraint from the r/m operand's class.
  const rmOp = operands.find((o) => o.enc === OpEnc.Rm);
  if (rmOp && modKind === 0) {
    if (rmOp.cls === OpClass.Mem) modKind = 1;
    else if (isRegClass(rmOp.cls)) modKind = 2;
  }

  const fl = ` ${row.f ?? ''} `;
  const has = (x: string): boolean => fl.includes(` ${x} `);
  if (has('lock')) flags |= RowFlag.Lock;
  if (has('rep')) flags |= RowFlag.Rep;
  if (has('repe')) flags |= RowFlag.Repe;
  if (has('bnd')) flags |= RowFlag.Bnd;
  if (has('notrack')) flags |= RowFlag.Notrack;
  if (has('sx')) flags |= RowFlag.SignExtImm;
  if (has('xacq')) flags |= RowFlag.Xacquire;
  if (has('xrel')) flags |= RowFlag.Xrelease;
  if (has('memfix')) flags |= RowFlag.MemFixed;
  if (has('vextwin')) flags |= RowFlag.VexTwin;
  if (row.tt === 't1s') flags |= RowFlag.EvexT1s;
  else if (row.tt !== undefined) throw new Error(`unknown tuple type ${row.tt}`);
  const osMode = has('f64') ? OsMode.Force64 : has('d64') ? OsMode.Default64 : OsMode.Default32;
  const asz = has('a32') ? 4 : has('a64') ? 8 : 0;

  let osz = 0;
  if (has('o16')) osz = 16;
  else if (has('o32')) osz = 32;
  else if (has('o64')) osz = 64;
  else if (w === 2 && !isVex && !isEvex) osz = 64;
  else if ((pfx === MandatoryPrefix.Any || pfx === MandatoryPrefix.PF3 || pfx === MandatoryPrefix.PF2) && !isVex && !isEvex &&
    !(map === OpMap.Legacy && opcode >= 0xd8 && opcode <= 0xdf)) {
    // F2/F3-selected integer rows (tzcnt, popcnt, cvt*2si) still size their GPR by 66/REX.W.
    const g = operands.find((o) => o.cls === OpClass.Gpr || o.cls === OpClass.GprOrMem ||
      (o.cls === OpClass.Fixed && (o.fixed === Register.AX || o.fixed === Register.EAX || o.fixed === Register.RAX)));
    if (g && g.regSize >= 2) osz = g.regSize * 8;
  }
  if (osMode === OsMode.Force64 || has('fixsz')) osz = 0;

  const codeName = row.code ?? (isVex ? 'VEX_' : isEvex ? 'EVEX_' : '') +
    [mnem.charAt(0) + mnem.slice(1).toLowerCase(), ...opToks.map(codeOperandName)].join('_');
  const mnemonicName = mnem.charAt(0) + mnem.slice(1).toLowerCase();
  return {
    row, codeName, mnemonicName, map, opcode, plusR, pfx, w, hasModrm, modrmReg, modKind, fixedModrm, osz, osMode,
    asz, vl, isVex, isEvex, immSizes, flags, operands,
  };
}
