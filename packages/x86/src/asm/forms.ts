import { Register } from '../register.js';
import { type Row, TABLE } from '../table/index.js';

/**
 * The assembler's view of the instruction table: each legacy-encoded `Row` of
 * `../table` compiled once into a `Form` (what operands it takes, how its bytes are laid out).
 * Rows the assembler cannot use yet (VEX/EVEX, x87 register-stack forms) are skipped.
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
  readonly flags: ReadonlySet<string>;
}

const GPR_FIXED: Record<string, [Register, number]> = {
  AL: [Register.AL, 1],
  CL: [Register.CL, 1],
  AX: [Register.AX, 2],
  DX: [Register.DX, 2],
  EAX: [Register.EAX, 4],
  RAX: [Register.RAX, 8],
};

/** Instructions whose 16-bit operand is architectural, not an operand-size choice (no 0x66). */
const NO_66 = new Set(['ltr', 'lldt', 'lmsw', 'verr', 'verw', 'enter', 'ret', 'arpl']);

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
    ...partial,
  };
}

function parseSpec(text: string, sx: boolean): Spec | undefined {
  const t = text.trim();
  const bits = (m: RegExpExecArray, i: number): number => Number(m[i]) / 8;
  const rm = /^r\/m(8|16|32|64)$/.exec(t);
  if (rm)
    return spec({
      kind: SpecKind.RegMem,
      cls: RegClass.Gpr,
      regSize: bits(rm, 1),
      mem: true,
      memSize: bits(rm, 1),
    });
  const rAndM = /^r(8|16|32|64)\/m(8|16|32|64)$/.exec(t);
  if (rAndM) {
    return spec({
      kind: SpecKind.RegMem,
      cls: RegClass.Gpr,
      regSize: bits(rAndM, 1),
      mem: true,
      memSize: bits(rAndM, 2),
    });
  }
  const r = /^r(8|16|32|64)$/.exec(t);
  if (r) return spec({ kind: SpecKind.RegMem, cls: RegClass.Gpr, regSize: bits(r, 1) });
  const m = /^(?:m|mem|m(\d+)(?:&\d+|:\d+|byte|fp|int|bcd)?|m\d+\/\d+byte)$/.exec(t);
  if (m) return spec({ kind: SpecKind.RegMem, mem: true, memSize: m[1] === undefined ? 0 : bits(m, 1) });
  const fixed = GPR_FIXED[t];
  if (fixed) return spec({ kind: SpecKind.Fixed, cls: RegClass.Gpr, fixed: fixed[0], regSize: fixed[1] });
  if (t === '1') return spec({ kind: SpecKind.One });
  const imm = /^imm(8|16|32|64)$/.exec(t);
  if (imm) return spec({ kind: SpecKind.Imm, size: bits(imm, 1), sx: sx && imm[1] === '8' });
  const rel = /^rel(8|32)$/.exec(t);
  if (rel) return spec({ kind: SpecKind.Rel, size: bits(rel, 1) });
  const moffs = /^moffs(8|16|32|64)$/.exec(t);
  if (moffs) return spec({ kind: SpecKind.Moffs, size: 8, memSize: bits(moffs, 1) });
  if (t === 'Sreg') return spec({ kind: SpecKind.RegMem, cls: RegClass.Seg, regSize: 2 });
  if (t === 'CRn' || t === 'CR8') return spec({ kind: SpecKind.RegMem, cls: RegClass.Cr, regSize: 8 });
  if (t === 'DRn') return spec({ kind: SpecKind.RegMem, cls: RegClass.Dr, regSize: 8 });
  if (/^xmm\d?$/.test(t)) return spec({ kind: SpecKind.RegMem, cls: RegClass.Xmm, regSize: 16 });
  const xm = /^xmm\d?\/m(\d+)$/.exec(t);
  if (xm)
    return spec({ kind: SpecKind.RegMem, cls: RegClass.Xmm, regSize: 16, mem: true, memSize: bits(xm, 1) });
  if (/^mm\d?$/.test(t)) return spec({ kind: SpecKind.RegMem, cls: RegClass.Mmx, regSize: 8 });
  const mmm = /^mm\d?\/m(\d+)$/.exec(t);
  if (mmm)
    return spec({ kind: SpecKind.RegMem, cls: RegClass.Mmx, regSize: 8, mem: true, memSize: bits(mmm, 1) });
  if (t === '<XMM0>')
    return spec({ kind: SpecKind.Fixed, cls: RegClass.Xmm, fixed: Register.XMM0, regSize: 16 });
  return undefined;
}

function compileRow(row: Row, index: number): Form | undefined {
  if (/\b(VEX|EVEX|XOP)\./.test(row.op)) return undefined;
  const flags = new Set((row.f ?? '').split(/\s+/).filter((s) => s !== ''));
  const sp = row.ins.indexOf(' ');
  const mnemonic = (sp < 0 ? row.ins : row.ins.slice(0, sp)).toLowerCase();
  const opText = sp < 0 ? '' : row.ins.slice(sp + 1).replace(/\{[^}]*\}/g, '');
  const specs: Spec[] = [];
  for (const part of opText === '' ? [] : opText.split(',')) {
    const s = parseSpec(part, flags.has('sx'));
    if (s === undefined) return undefined;
    specs.push(s);
  }
  // opcode column
  let mandatory = 0;
  let rexW = false;
  const opcode: number[] = [];
  let modrmDigit: number | undefined;
  let plusReg = false;
  const immTokens: string[] = [];
  for (const tok of row.op.split(/\s+/)) {
    if (tok === '') continue;
    if (tok === 'NP') continue;
    if (tok === 'REX.W') {
      rexW = true;
      continue;
    }
    if ((tok === '66' || tok === 'F2' || tok === 'F3') && opcode.length === 0 && !rexW && mandatory === 0) {
      mandatory = Number.parseInt(tok, 16);
      continue;
    }
    if (tok === 'REX.W' || tok === 'REX') continue;
    if (tok === '/r') {
      modrmDigit = -1;
      continue;
    }
    const dm = /^\/([0-7])$/.exec(tok);
    if (dm) {
      modrmDigit = Number(dm[1]);
      continue;
    }
    if (/^(ib|iw|id|io|cb|cw|cd)$/.test(tok)) {
      immTokens.push(tok);
      continue;
    }
    const pm = /^([0-9A-F]{2})\+(rb|rw|rd|ro|i)$/.exec(tok);
    if (pm) {
      if (pm[2] === 'i') return undefined; // x87 ST(i) forms: not assembled yet
      opcode.push(Number.parseInt(pm[1] as string, 16));
      plusReg = true;
      continue;
    }
    if (/^[0-9A-F]{2}$/.test(tok)) {
      opcode.push(Number.parseInt(tok, 16));
      continue;
    }
    return undefined;
  }
  if (opcode.length === 0) return undefined;
  // operand encodings
  let en = row.en;
  if (en === undefined || en.length !== specs.length) en = inferEncoding(specs, modrmDigit, plusReg);
  if (en === undefined) return undefined;
  const withEnc = specs.map((s, i) => ({ ...s, enc: en[i] as string }));
  // immediate sizes come from the opcode column when it says so
  let ii = 0;
  for (let i = 0; i < withEnc.length; i++) {
    const s = withEnc[i] as Spec;
    if (s.kind === SpecKind.Imm || s.kind === SpecKind.Rel || s.kind === SpecKind.Moffs) {
      const tok = immTokens[ii++];
      if (tok === undefined) return undefined;
      const size = { ib: 1, cb: 1, iw: 2, cw: 2, id: 4, cd: 4, io: 8 }[tok] as number;
      withEnc[i] = { ...s, size };
    }
    if ('XYZ'.includes(s.enc) && s.kind === SpecKind.RegMem && s.mem && s.regSize === 0) {
      withEnc[i] = { ...s, kind: SpecKind.ImplicitMem };
    }
  }
  // operation size
  let osize = 0;
  if (flags.has('o16')) osize = 2;
  else if (flags.has('o32')) osize = 4;
  else if (flags.has('o64')) osize = 8;
  else {
    const sized = withEnc.find(
      (s) =>
        (s.cls === RegClass.Gpr && (s.kind === SpecKind.RegMem || s.kind === SpecKind.Fixed)) ||
        s.kind === SpecKind.Moffs,
    );
    if (sized !== undefined) osize = sized.kind === SpecKind.Moffs ? sized.memSize : sized.regSize;
    else if (mandatory === 0 && withEnc.some((s) => s.kind === SpecKind.ImplicitMem)) {
      osize = withEnc.find((s) => s.kind === SpecKind.ImplicitMem)?.memSize ?? 0;
    } else if (flags.has('d64') || flags.has('f64')) osize = 8;
  }
  if (rexW) osize = osize === 0 ? 8 : osize;
  const needs66 =
    osize === 2 &&
    mandatory !== 0x66 &&
    !NO_66.has(mnemonic) &&
    !(mnemonic === 'mov' && withEnc[0]?.cls === RegClass.Seg);
  return {
    row: index,
    mnemonic,
    specs: withEnc,
    mandatory,
    rexW,
    opcode,
    modrmDigit,
    plusReg,
    osize,
    needs66,
    default64: flags.has('d64') || flags.has('f64'),
    flags,
  };
}

function inferEncoding(
  specs: readonly Spec[],
  modrmDigit: number | undefined,
  plusReg: boolean,
): string | undefined {
  let out = '';
  let usedM = false;
  let usedR = false;
  for (const s of specs) {
    switch (s.kind) {
      case SpecKind.Imm:
      case SpecKind.Moffs:
        out += 'I';
        break;
      case SpecKind.Rel:
        out += 'D';
        break;
      case SpecKind.Fixed:
      case SpecKind.One:
      case SpecKind.ImplicitMem:
        out += 'Z';
        break;
      case SpecKind.RegMem:
        if (plusReg && !s.mem && s.cls === RegClass.Gpr && !usedM) {
          out += 'O';
          usedM = true;
        } else if (modrmDigit === undefined) {
          if (s.mem && s.regSize === 0) {
            out += 'Z';
          } else return undefined;
        } else if (s.mem && !usedM) {
          out += 'M';
          usedM = true;
        } else if (modrmDigit >= 0 && !usedM) {
          out += 'M';
          usedM = true;
        } else if (!usedR && modrmDigit < 0) {
          out += 'R';
          usedR = true;
        } else if (!usedM) {
          out += 'M';
          usedM = true;
        } else return undefined;
        break;
    }
  }
  // `MOV r64, r/m64`-style rows list the R operand first: fix up a leading R that was taken as M.
  return out;
}

let cache: Map<string, Form[]> | undefined;

/** All assemblable forms, by lowercase Intel mnemonic. */
export function formsByMnemonic(): Map<string, Form[]> {
  if (cache !== undefined) return cache;
  const m = new Map<string, Form[]>();
  TABLE.forEach((row, i) => {
    const f = compileRow(row, i);
    if (f === undefined) return;
    const list = m.get(f.mnemonic);
    if (list) list.push(f);
    else m.set(f.mnemonic, [f]);
    const att = attName(row.att);
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
