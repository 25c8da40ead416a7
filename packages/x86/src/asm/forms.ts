import { MandatoryPrefix, OpClass, OpEnc, OpMap, OsMode, RowFlag } from '../operand.js';
import { Register } from '../register.js';
import { TABLE } from '../table/index.js';
import { type ParsedOperand, type ParsedRow, parseRow } from '../table/parse.js';

/**
 * The assembler's view of the instruction table: every `Row` of `../table`, parsed by the same
 * `parseRow` the decoder generator uses, compiled once into a `Form` (which operands it takes,
 * how its bytes are laid out). Rows the assembler cannot use yet (VEX/EVEX, x87 register-stack
 * forms, ymm/zmm/k operands) are skipped.
 */

/** Operand class of a register or register half of an r/m operand. */
export const enum RegClass {
  None = 0,
  Gpr = 1,
  Seg = 2,
  Cr = 3,
  Dr = 4,
  Xmm = 5,
  Mmx = 6,
  Ymm = 7,
  /** x87 stack register ST(i). */
  St = 8,
  Zmm = 9,
  /** AVX-512 opmask register k0..k7. */
  K = 10,
}

export const enum SpecKind {
  /** Register or memory (`r/m32`, `r32/m16`, `xmm2/m128`); `reg` or `mem` may be unavailable. */
  RegMem = 0,
  /** Fixed register (`AL`, `CL`, `DX`, `RAX`). */
  Fixed = 1,
  /** The constant 1 of `shl r/m, 1`. */
  One = 2,
  Imm = 3,
  Rel = 4,
  Moffs = 5,
  /** Implicit string-instruction memory operand (en `Z`): the user may leave it out. */
  ImplicitMem = 6,
}

export interface Spec {
  readonly kind: SpecKind;
  readonly cls: RegClass;
  /** Register width in bytes (GPR) when a register is allowed; 0 when no register is allowed. */
  readonly regSize: number;
  /** true when a memory operand is allowed. */
  readonly mem: boolean;
  /** Memory access width in bytes, 0 when unspecified (`m`, `mem`). */
  readonly memSize: number;
  /** Immediate/rel/moffs field width in bytes. */
  readonly size: number;
  /** imm8 sign-extended to the operation size (`sx` row flag). */
  readonly sx: boolean;
  readonly fixed: Register;
  /** Encoding: R (ModRM.reg), M (ModRM.rm), O (opcode low bits), I, D, Z. */
  readonly enc: string;
  /** Element size of an EVEX embedded broadcast (`m32bcst`), 0 when the operand has none. */
  readonly bcst: number;
  /** VSIB memory operand (`vm32x`): the width in bytes of the vector index register, else 0. */
  readonly vsib: number;
}

export interface Form {
  /** Index of the row in `TABLE`. */
  readonly row: number;
  readonly mnemonic: string;
  /** Operands in Intel order. */
  readonly specs: readonly Spec[];
  /** Mandatory prefix byte (0x66, 0xF2, 0xF3) or 0. */
  readonly mandatory: number;
  readonly rexW: boolean;
  readonly opcode: readonly number[];
  /** ModRM.reg digit for `/digit` rows, -1 for `/r`, undefined when there is no ModRM. */
  readonly modrmDigit: number | undefined;
  /** The opcode's last byte takes a register number (`+rd`). */
  readonly plusReg: boolean;
  /** Operation size in bytes (0 when not a sized integer operation). */
  readonly osize: number;
  /** Emit 0x66 for a 16-bit operation. */
  readonly needs66: boolean;
  /** Operand size defaults to 64 bits (push/pop/call/jmp...). */
  readonly default64: boolean;
  /** The row needs the 0x67 address-size prefix (jecxz). */
  readonly addr32: boolean;
  /** VEX-encoded rows: the fields of the VEX prefix that come from the row. */
  readonly vex: VexFields | undefined;
  /** EVEX-encoded rows: what the row allows beyond VEX (`vex` holds map, W, L and pp). */
  readonly evex: EvexFields | undefined;
}

export interface EvexFields {
  /** `{k1}` is allowed (a write mask, or for compares into k a zeroing mask). */
  readonly mask: boolean;
  /** `{z}` is allowed. */
  readonly zeroing: boolean;
  /** disp8*N for a memory operand without broadcast: tuple T1S (an element by W), else 0 = the operand's size. */
  readonly t1s: number;
  /** `{sae}` is allowed (register operands only). */
  readonly sae: boolean;
  /** `{rn-sae}`..`{rz-sae}` are allowed (register operands only). */
  readonly er: boolean;
}

export interface VexFields {
  /** VEX.mmmmm: 1 = 0F, 2 = 0F38, 3 = 0F3A. */
  readonly map: number;
  readonly w: number;
  readonly l: number;
  /** VEX.pp: 0 none, 1 = 66, 2 = F3, 3 = F2. */
  readonly pp: number;
}

/** Instructions whose 16-bit operand is architectural, not an operand-size choice (no 0x66). */
const NO_66 = new Set(['ltr', 'lldt', 'lmsw', 'verr', 'verw', 'enter', 'ret', 'arpl', 'fnstsw', 'fstsw']);

function spec(partial: Partial<Spec> & { kind: SpecKind }): Spec {
  return {
    cls: RegClass.None,
    regSize: 0,
    mem: false,
    memSize: 0,
    size: 0,
    sx: false,
    fixed: Register.None,
    enc: '',
    bcst: 0,
    vsib: 0,
    ...partial,
  };
}

const ENC_LETTER: Partial<Record<OpEnc, string>> = {
  [OpEnc.Reg]: 'R',
  [OpEnc.Rm]: 'M',
  [OpEnc.Opcode]: 'O',
  [OpEnc.Imm]: 'I',
  [OpEnc.Rel]: 'D',
  [OpEnc.Implicit]: 'Z',
  [OpEnc.Vvvv]: 'V',
  [OpEnc.Is4]: 'S',
};

const REG_CLASS: Partial<Record<OpClass, [RegClass, boolean]>> = {
  [OpClass.Gpr]: [RegClass.Gpr, false],
  [OpClass.GprOrMem]: [RegClass.Gpr, true],
  [OpClass.Xmm]: [RegClass.Xmm, false],
  [OpClass.XmmOrMem]: [RegClass.Xmm, true],
  [OpClass.Ymm]: [RegClass.Ymm, false],
  [OpClass.YmmOrMem]: [RegClass.Ymm, true],
  [OpClass.Mmx]: [RegClass.Mmx, false],
  [OpClass.MmxOrMem]: [RegClass.Mmx, true],
  [OpClass.Sreg]: [RegClass.Seg, false],
  [OpClass.Creg]: [RegClass.Cr, false],
  [OpClass.Dreg]: [RegClass.Dr, false],
  [OpClass.St]: [RegClass.St, false],
  [OpClass.Zmm]: [RegClass.Zmm, false],
  [OpClass.ZmmOrMem]: [RegClass.Zmm, true],
  [OpClass.Kreg]: [RegClass.K, false],
  [OpClass.KregOrMem]: [RegClass.K, true],
};

/** The assembler's view of one operand of a parsed row, or undefined when it cannot assemble it. */
function operandSpec(o: ParsedOperand, sx: boolean): Spec | undefined {
  const enc = ENC_LETTER[o.enc];
  if (enc === undefined) return undefined;
  switch (o.cls) {
    case OpClass.Mem:
      // (a `vm32x` operand's regSize is the width of its vector index)
      return spec({
        kind: SpecKind.RegMem,
        mem: true,
        memSize: o.memSize,
        enc,
        bcst: o.bcstSize,
        vsib: o.regSize,
      });
    case OpClass.Imm:
    case OpClass.Imm2:
      return spec({ kind: SpecKind.Imm, size: o.regSize, sx: sx && o.regSize === 1, enc });
    case OpClass.Rel:
      return spec({ kind: SpecKind.Rel, size: o.regSize, enc });
    case OpClass.Moffs:
      return spec({ kind: SpecKind.Moffs, size: 8, memSize: o.memSize, enc });
    case OpClass.One:
      return spec({ kind: SpecKind.One, enc });
    case OpClass.StrSrc:
    case OpClass.StrDst:
      return spec({ kind: SpecKind.ImplicitMem, mem: true, memSize: o.memSize, enc: 'Z' });
    case OpClass.Fixed: {
      if (o.fixed >= Register.ST0 && o.fixed < Register.ST0 + 8)
        return spec({ kind: SpecKind.Fixed, cls: RegClass.St, fixed: o.fixed, regSize: 10, enc });
      const cls = o.fixed === Register.XMM0 ? RegClass.Xmm : RegClass.Gpr;
      return spec({ kind: SpecKind.Fixed, cls, fixed: o.fixed, regSize: o.regSize, enc });
    }
    default: {
      const rc = REG_CLASS[o.cls];
      if (rc === undefined) return undefined; // zmm, k, ST(i): not assembled yet
      return spec({
        kind: SpecKind.RegMem,
        cls: rc[0],
        regSize: o.regSize,
        mem: rc[1],
        memSize: rc[1] ? o.memSize : 0,
        enc,
        bcst: o.bcstSize,
      });
    }
  }
}

/** VEX.mmmmm (EVEX.mmm) of each VEX/EVEX opcode map. */
const VEX_MAP: Partial<Record<OpMap, number>> = {
  [OpMap.Vex0F]: 1,
  [OpMap.Vex0F38]: 2,
  [OpMap.Vex0F3A]: 3,
  [OpMap.Evex0F]: 1,
  [OpMap.Evex0F38]: 2,
  [OpMap.Evex0F3A]: 3,
};

/** VEX.pp of each mandatory prefix. */
const VEX_PP: Record<MandatoryPrefix, number> = {
  [MandatoryPrefix.Any]: 0,
  [MandatoryPrefix.None]: 0,
  [MandatoryPrefix.P66]: 1,
  [MandatoryPrefix.PF3]: 2,
  [MandatoryPrefix.PF2]: 3,
};

const MAP_BYTES: Partial<Record<OpMap, readonly number[]>> = {
  [OpMap.Legacy]: [],
  [OpMap.M0F]: [0x0f],
  [OpMap.M0F38]: [0x0f, 0x38],
  [OpMap.M0F3A]: [0x0f, 0x3a],
};

const MANDATORY: Record<MandatoryPrefix, number> = {
  [MandatoryPrefix.Any]: 0,
  [MandatoryPrefix.None]: 0,
  [MandatoryPrefix.P66]: 0x66,
  [MandatoryPrefix.PF3]: 0xf3,
  [MandatoryPrefix.PF2]: 0xf2,
};

function compileRow(p: ParsedRow, index: number): Form | undefined {
  let vex: VexFields | undefined;
  let evex: EvexFields | undefined;
  if (p.isVex || p.isEvex) {
    const map = VEX_MAP[p.map];
    if (map === undefined) return undefined;
    // GNU as: WIG and LIG rows are emitted with W=0 and L=0 (-mvexwig=0, -mevexwig=0, -mevexlig=128)
    vex = { map, w: p.w === 2 ? 1 : 0, l: Math.max(p.vl, 0), pp: VEX_PP[p.pfx] };
  }
  if (p.isEvex) {
    evex = {
      mask: (p.flags & RowFlag.EvexK) !== 0,
      zeroing: (p.flags & RowFlag.EvexZ) !== 0,
      // disp8*N of one element: compress/expand (T1S) and gathers/scatters (one element per index)
      t1s: (p.flags & (RowFlag.EvexT1s | RowFlag.Vsib)) !== 0 ? (p.w === 2 ? 8 : 4) : 0,
      sae: (p.flags & RowFlag.EvexSae) !== 0,
      er: (p.flags & RowFlag.EvexEr) !== 0,
    };
  }
  const mapBytes = vex !== undefined ? [] : MAP_BYTES[p.map];
  if (mapBytes === undefined) return undefined;
  const sx = (p.flags & RowFlag.SignExtImm) !== 0;
  const specs: Spec[] = [];
  for (const o of p.operands) {
    const s = operandSpec(o, sx);
    if (s === undefined) return undefined;
    specs.push(s);
  }
  const mnemonic = p.mnemonicName.toLowerCase();
  const opcode = [...mapBytes, p.opcode];
  let modrmDigit: number | undefined;
  if (p.fixedModrm >= 0) opcode.push(p.fixedModrm);
  else if (p.hasModrm) modrmDigit = p.modrmReg;
  const flags = new Set((p.row.f ?? '').split(/\s+/).filter((x) => x !== ''));
  const default64 = p.osMode !== OsMode.Default32;
  const mandatory = vex !== undefined ? 0 : MANDATORY[p.pfx];
  // Operation size as a GAS suffix sees it: the row's o16/o32/o64 or REX.W, else the first
  // sized integer operand (the DX of in/out/ins/outs names a port), else 64 for push/pop/branches.
  let osize = 0;
  if (flags.has('o16')) osize = 2;
  else if (flags.has('o32')) osize = 4;
  else if (flags.has('o64') || p.w === 2) osize = 8;
  else {
    const port = /^(in|out|ins[bwd]|outs[bwd])$/.test(mnemonic);
    const sized = specs.find(
      (s) =>
        !(port && s.fixed === Register.DX) &&
        ((s.cls === RegClass.Gpr && (s.kind === SpecKind.RegMem || s.kind === SpecKind.Fixed)) ||
          s.kind === SpecKind.Moffs),
    );
    if (sized !== undefined) osize = sized.kind === SpecKind.Moffs ? sized.memSize : sized.regSize;
    else if (mandatory === 0 && specs.some((s) => s.kind === SpecKind.ImplicitMem)) {
      osize = specs.find((s) => s.kind === SpecKind.ImplicitMem)?.memSize ?? 0;
    } else if (default64) osize = 8;
  }
  const needs66 =
    vex === undefined &&
    osize === 2 &&
    mandatory !== 0x66 &&
    !NO_66.has(mnemonic) &&
    !(mnemonic === 'mov' && specs[0]?.cls === RegClass.Seg);
  return {
    row: index,
    mnemonic,
    specs,
    mandatory,
    rexW: vex === undefined && p.w === 2,
    opcode,
    modrmDigit,
    plusReg: p.plusR,
    osize,
    needs66,
    default64,
    addr32: p.asz === 4,
    vex,
    evex,
  };
}

let cache: Map<string, Form[]> | undefined;

/** All assemblable forms, by lowercase Intel mnemonic. */
export function formsByMnemonic(): Map<string, Form[]> {
  if (cache !== undefined) return cache;
  const m = new Map<string, Form[]>();
  TABLE.forEach((row, i) => {
    const f = compileRow(parseRow(row), i);
    if (f === undefined) return;
    const att = attName(row.att);
    // The x87 `fsub`/`fsubr` family swaps names in AT&T syntax for the ST(i) destination forms
    // (DC E0+i is Intel's `fsubr st(i), st` and AT&T's `fsub %st,%st(i)`): such a row answers
    // to its AT&T name only, or `fsubp` would find both DE E0+i and DE E8+i.
    const swapped = att !== undefined && att !== f.mnemonic && f.specs.some((x) => x.cls === RegClass.St);
    if (!swapped) {
      const list = m.get(f.mnemonic);
      if (list) list.push(f);
      else m.set(f.mnemonic, [f]);
    }
    if (att !== undefined && att !== f.mnemonic) {
      const l2 = m.get(att);
      if (l2) l2.push(f);
      else m.set(att, [f]);
    }
  });
  cache = m;
  return m;
}

/** The row's AT&T mnemonic when it is a plain name (`movabs`, `sysretq`, `cltq`), with `%`/`!` dropped. */
function attName(att: string | undefined): string | undefined {
  if (att === undefined) return undefined;
  const name = att.replace(/[%!]$/, '');
  return /^[a-z][a-z0-9]*$/.test(name) ? name : undefined;
}
