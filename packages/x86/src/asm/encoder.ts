import { gprIndex, gprSize, Register } from '../register.js';
import { AsmError } from './error.js';
import { constValue, type Expr } from './expr.js';
import { type Form, formsByMnemonic, RegClass, type Spec, SpecKind, type VexFields } from './forms.js';
import type { ParsedInsn } from './frontend.js';
import type { MemOperand, Operand } from './operand.js';
import { FP_PRED } from '../format/att.js';
import { registerName } from './registers.js';

/**
 * Picks the encoding GNU as picks for one instruction and lays out its bytes. Selection
 * happens once, before addresses are known: the length of every encoding depends only on
 * the operands and on which expression values are known constants (GAS's rule: an operand
 * naming a label or an external gets the full-width field), never on label addresses. Only
 * branches to labels of the same section are relaxed later (rel8 → rel32).
 */

/** A value field still to be filled once addresses are known. */
export interface Field {
  readonly expr: Expr;
  /** Offset of the field in the instruction. */
  readonly at: number;
  readonly size: 1 | 2 | 4 | 8;
  /** How the value is checked and stored. */
  readonly kind: 'imm' | 'simm' | 'uimm' | 'disp' | 'rip' | 'rel';
}

/** One fully selected encoding: fixed bytes plus the fields that need symbol values. */
export interface Encoding {
  readonly form: Form;
  /** Bytes with zeroes where `fields` go. */
  readonly bytes: Uint8Array;
  readonly fields: readonly Field[];
}

/** What layout needs to know about an instruction. */
export type InsnPlan =
  /** `variable`: a jmp/jcc GNU as could have relaxed (its target was not a constant), which ends a GAS frag. */
  | { readonly k: 'fixed'; readonly enc: Encoding; readonly variable?: boolean }
  /** A jmp/jcc to a label of the same section: short until the target is out of rel8 range. */
  | { readonly k: 'relax'; readonly short: Encoding; readonly long: Encoding; readonly target: Expr };

const SEG_PREFIX: Partial<Record<Register, number>> = {
  [Register.ES]: 0x26,
  [Register.CS]: 0x2e,
  [Register.SS]: 0x36,
  [Register.DS]: 0x3e,
  [Register.FS]: 0x64,
  [Register.GS]: 0x65,
};

const PREFIX_BYTES: Record<string, number> = {
  lock: 0xf0,
  rep: 0xf3,
  repe: 0xf3,
  repz: 0xf3,
  repne: 0xf2,
  repnz: 0xf2,
  data16: 0x66,
  addr32: 0x67,
  data32: 0x66,
  rex: 0x40,
  rex64: 0x48,
  notrack: 0x3e,
  bnd: 0xf2,
  // segment prefixes written as words (objdump prints `cs nopw 0x0(%rax,%rax,1)`)
  es: 0x26,
  cs: 0x2e,
  ss: 0x36,
  ds: 0x3e,
  fs: 0x64,
  gs: 0x65,
};

/**
 * GAS's prefix slots, in the order it emits them: segment (and notrack), address size,
 * operand size, rep/repne/bnd, lock. A prefix word goes to its slot whatever order it was
 * written in, so `lock rep` and `rep lock` give the same bytes.
 */
const PREFIX_SLOT: Record<number, number> = {
  0x26: 0,
  0x2e: 0,
  0x36: 0,
  0x3e: 0,
  0x64: 0,
  0x65: 0,
  0x67: 1,
  0x66: 2,
  0xf3: 3,
  0xf2: 3,
  0xf0: 4,
};

/** A prefix word's byte; `rex.WB` and the like (objdump prints them) are REX with those bits. */
function prefixByte(word: string): number {
  const rex = /^rex\.([wrxb]+)$/.exec(word);
  if (rex === null) return PREFIX_BYTES[word] as number;
  let b = 0x40;
  for (const c of rex[1] as string) b |= c === 'w' ? 8 : c === 'r' ? 4 : c === 'x' ? 2 : 1;
  return b;
}

const CC_ALIASES: Record<string, string> = {
  z: 'e',
  nz: 'ne',
  c: 'b',
  nae: 'b',
  nc: 'ae',
  nb: 'ae',
  na: 'be',
  nbe: 'a',
  pe: 'p',
  po: 'np',
  nge: 'l',
  nl: 'ge',
  ng: 'le',
  nle: 'g',
};

const MNEMONIC_ALIASES: Record<string, string> = {
  sal: 'shl',
  salb: 'shlb',
  salw: 'shlw',
  sall: 'shll',
  salq: 'shlq',
  int1: 'int1',
  icebp: 'int1',
  ud2a: 'ud2',
  xlat: 'xlatb',
  pushfq: 'pushfq',
  popfq: 'popfq',
  pushf: 'pushfq',
  popf: 'popfq',
  iretl: 'iretd',
  sysretl: 'sysret',
  cwtl: 'cwde',
  cltq: 'cdqe',
  cqto: 'cqo',
  cltd: 'cdq',
  cbtw: 'cbw',
  cwtd: 'cwd',
  movabsq: 'movabs',
};

const SUFFIX_SIZE: Record<string, number> = { b: 1, w: 2, l: 4, q: 8 };

const ST_ST1 = [Register.ST0, Register.ST1] as const;
const ST1 = [Register.ST1] as const;
const ST1_ST = [Register.ST1, Register.ST0] as const;
/**
 * x87 instructions GAS accepts without operands, with what they mean (AT&T operands): the
 * arithmetic ones pop into %st(1) (`fadd` is `faddp %st,%st(1)`), the others take %st(1).
 */
const X87_DEFAULTS: Record<string, readonly [string, readonly Register[]]> = {
  fadd: ['faddp', ST_ST1],
  fsub: ['fsubp', ST_ST1],
  fsubr: ['fsubrp', ST_ST1],
  fmul: ['fmulp', ST_ST1],
  fdiv: ['fdivp', ST_ST1],
  fdivr: ['fdivrp', ST_ST1],
  faddp: ['faddp', ST_ST1],
  fsubp: ['fsubp', ST_ST1],
  fsubrp: ['fsubrp', ST_ST1],
  fmulp: ['fmulp', ST_ST1],
  fdivp: ['fdivp', ST_ST1],
  fdivrp: ['fdivrp', ST_ST1],
  fxch: ['fxch', ST1],
  fcom: ['fcom', ST1],
  fcomp: ['fcomp', ST1],
  fucom: ['fucom', ST1],
  fucomp: ['fucomp', ST1],
  fcomi: ['fcomi', ST1_ST],
  fcomip: ['fcomip', ST1_ST],
  fucomi: ['fucomi', ST1_ST],
  fucomip: ['fucomip', ST1_ST],
};

/** EVEX.L'L of the rounding operands; `{sae}` (index 4) leaves L'L 0. */
const ROUNDING_MODES = ['rn-sae', 'rd-sae', 'ru-sae', 'rz-sae', 'sae'];

/** The imm8 predicates of vpcmp[u]{b,w,d,q}, by pseudo-op name. */
const VPCMP_PREDICATES = ['eq', 'lt', 'le', 'false', 'neq', 'nlt', 'nle', 'true'];

/** How the candidate forms of a mnemonic are found: Intel name, AT&T name, or name + size suffix. */
function candidates(name: string): { forms: Form[]; suffix: number }[] {
  const all = formsByMnemonic();
  const out: { forms: Form[]; suffix: number }[] = [];
  const add = (n: string, suffix: number): void => {
    let key = MNEMONIC_ALIASES[n] ?? n;
    for (const p of ['j', 'set', 'cmov']) {
      if (key.startsWith(p)) {
        const cc = CC_ALIASES[key.slice(p.length)];
        if (cc !== undefined) key = p + cc;
      }
    }
    const forms = all.get(key);
    if (forms !== undefined) out.push({ forms, suffix });
  };
  // crc32b/w/l/q: the suffix sizes the source, whatever the destination register
  const crc = /^crc32([bwlq])$/.exec(name);
  if (crc) {
    const size = SUFFIX_SIZE[crc[1] as string] as number;
    return [{ forms: (all.get('crc32') ?? []).filter((f) => f.specs[1]?.memSize === size), suffix: 0 }];
  }
  add(name, 0);
  const last = name[name.length - 1] as string;
  const size = SUFFIX_SIZE[last];
  if (size !== undefined && name.length > 1) add(name.slice(0, -1), size);
  // movzbl / movsbq / movswl / movslq style (AT&T: source and destination sizes)
  const mx = /^mov([zs])([bwl])([wlq])$/.exec(name);
  if (mx) {
    const key = mx[1] === 'z' ? 'movzx' : mx[3] === 'q' && mx[2] === 'l' ? 'movsxd' : 'movsx';
    const forms = all.get(key);
    if (forms !== undefined) {
      const src = SUFFIX_SIZE[mx[2] as string] as number;
      out.push({
        forms: forms.filter((f) => f.specs[1]?.memSize === src),
        suffix: SUFFIX_SIZE[mx[3] as string] as number,
      });
    }
  }
  return out;
}

function regNumber(reg: Register): number {
  if (isHighByte(reg)) return 4 + (reg - Register.AH);
  const g = gprIndex(reg);
  if (g >= 0) return g;
  if (reg >= Register.ES && reg <= Register.GS) return reg - Register.ES;
  if (reg >= Register.CR0 && reg < Register.DR0) return reg - Register.CR0;
  if (reg >= Register.DR0 && reg < Register.XMM0) return reg - Register.DR0;
  if (reg >= Register.XMM0 && reg < Register.YMM0) return reg - Register.XMM0;
  if (reg >= Register.YMM0 && reg < Register.ZMM0) return reg - Register.YMM0;
  if (reg >= Register.ZMM0 && reg < Register.K0) return reg - Register.ZMM0;
  if (reg >= Register.K0 && reg < Register.MM0) return reg - Register.K0;
  if (reg >= Register.MM0 && reg < Register.ST0) return reg - Register.MM0;
  if (reg >= Register.ST0 && reg < Register.ST0 + 8) return reg - Register.ST0;
  return 0;
}

function regClass(reg: Register): RegClass {
  if (gprSize(reg) > 0) return RegClass.Gpr;
  if (reg >= Register.ES && reg <= Register.GS) return RegClass.Seg;
  if (reg >= Register.CR0 && reg < Register.DR0) return RegClass.Cr;
  if (reg >= Register.DR0 && reg < Register.XMM0) return RegClass.Dr;
  if (reg >= Register.XMM0 && reg < Register.YMM0) return RegClass.Xmm;
  if (reg >= Register.YMM0 && reg < Register.ZMM0) return RegClass.Ymm;
  if (reg >= Register.ZMM0 && reg < Register.K0) return RegClass.Zmm;
  if (reg >= Register.K0 && reg < Register.MM0) return RegClass.K;
  if (reg >= Register.MM0 && reg < Register.ST0) return RegClass.Mmx;
  if (reg >= Register.ST0 && reg < Register.ST0 + 8) return RegClass.St;
  return RegClass.None;
}

const fitsS8 = (v: bigint): boolean => v >= -128n && v <= 127n;

/**
 * GAS evaluates expressions in 64-bit arithmetic, so `$0xffffffffffffffe0` is -32 and
 * `0xffffffffffffff98(%rax)` is a disp8 of -0x68 (objdump prints negative immediates of
 * 64-bit operations and absolute addresses that way).
 */
export function signed64(v: bigint): bigint {
  return v >= 1n << 63n && v < 1n << 64n ? v - (1n << 64n) : v;
}
const fitsS32 = (v: bigint): boolean => v >= -(1n << 31n) && v < 1n << 31n;

/** Does a known immediate fit the field (size, sign-extension) at this operation size? */
function immFits(v: bigint, s: Spec, osize: number): boolean {
  if (s.sx) {
    const bits = BigInt((osize === 0 ? 8 : osize) * 8);
    if (v < -(1n << (bits - 1n)) || v >= 1n << bits) return false;
    return fitsS8(BigInt.asIntN(Number(bits), v));
  }
  switch (s.size) {
    case 1:
      return v >= -128n && v <= 255n;
    case 2:
      return v >= -32768n && v <= 65535n;
    case 4:
      return osize === 8 ? fitsS32(v) : v >= -(1n << 31n) && v < 1n << 32n;
    default:
      return true;
  }
}

interface MatchContext {
  readonly branch: boolean;
  readonly movabs: boolean;
}

/** The operand's AVX-512 decorations are ones this form can encode. */
function decorationsFit(s: Spec, op: Operand, form: Form): boolean {
  const d = op.kind === 'imm' ? undefined : op.deco;
  if (d === undefined) return true;
  const e = form.evex;
  if (e === undefined) return false;
  if (d.mask !== Register.None && !e.mask) return false;
  if (d.zeroing && (!e.zeroing || d.mask === Register.None)) return false;
  if (d.broadcast !== 0) return op.kind === 'mem' && s.bcst !== 0 && s.bcst * d.broadcast === s.memSize;
  return true;
}

function matches(s: Spec, op: Operand, form: Form, ctx: MatchContext, line: number): boolean {
  if (!decorationsFit(s, op, form)) return false;
  switch (s.kind) {
    case SpecKind.Fixed:
      // `in (%dx), %al`: the port register may be written as a memory operand
      if (s.fixed === Register.DX && op.kind === 'mem') {
        return (
          op.base === Register.DX &&
          op.index === Register.None &&
          op.disp === null &&
          op.seg === Register.None
        );
      }
      return op.kind === 'reg' && op.reg === s.fixed && !op.indirect;
    case SpecKind.One:
      return op.kind === 'imm' && constValue(op.expr, line) === 1n;
    case SpecKind.Imm: {
      if (op.kind !== 'imm') return false;
      const v = constValue(op.expr, line);
      if (v === undefined) return !s.sx;
      return immFits(signed64(v), s, form.osize);
    }
    case SpecKind.Rel:
      return op.kind === 'mem' && op.bare && !op.indirect;
    case SpecKind.Moffs:
      return ctx.movabs && op.kind === 'mem' && op.base === Register.None && op.index === Register.None;
    case SpecKind.ImplicitMem:
      return op.kind === 'mem' && !op.bare;
    case SpecKind.RegMem:
      if (op.kind === 'reg') {
        if (s.regSize === 0) return false;
        const cls = regClass(op.reg);
        if (cls !== s.cls) return false;
        // %xmm16-31 and %ymm16-31 only have EVEX encodings
        if (
          form.evex === undefined &&
          (cls === RegClass.Xmm || cls === RegClass.Ymm) &&
          regNumber(op.reg) >= 16
        )
          return false;
        if (cls !== RegClass.Gpr) return true;
        const size = gprSize(op.reg);
        if (size === s.regSize) return true;
        // GAS loads a segment register from any 16/32/64-bit register with the plain 8E form
        if (form.specs[0]?.cls === RegClass.Seg) return size >= 2;
        // and stores a selector (mov %fs, str, sldt; not smsw) into a 64-bit register without REX.W
        const selector =
          form.specs.some((x) => x.cls === RegClass.Seg) ||
          form.mnemonic === 'str' ||
          form.mnemonic === 'sldt';
        return selector && size === 8 && s.regSize === 4 && s.memSize === 2;
      }
      if (op.kind === 'mem') {
        if (!s.mem) return false;
        // VSIB: the index is a vector register of the row's width (vm32x: %xmm, vm32y: %ymm...)
        const vectorIndex = op.index !== Register.None && isVectorIndex(op.index);
        if (s.vsib !== 0 || vectorIndex) {
          if (s.vsib === 0 || !vectorIndex) return false;
          const cls = regClass(op.index);
          const width = cls === RegClass.Xmm ? 16 : cls === RegClass.Ymm ? 32 : 64;
          if (width !== s.vsib) return false;
          if (form.evex === undefined && regNumber(op.index) >= 16) return false;
        }
        // `jmp *8(%rax)`; GAS also takes `jmp 8(%rax)` (a bare `jmp sym` is a direct branch)
        if (ctx.branch && !op.indirect && op.bare) return false;
        return !ctx.movabs;
      }
      return false;
  }
}

/** Chooses the form and builds the encoding(s) of one instruction. */
export function planInstruction(
  insn: ParsedInsn,
  line: number,
  sameSectionLabel: (e: Expr) => boolean,
): InsnPlan {
  const { mnemonic } = insn;
  const prefixBytes: number[] = [];
  for (const p of insn.prefixes) if (!p.startsWith('{')) prefixBytes.push(prefixByte(p));
  const pseudo = insn.prefixes.find((p) => p.startsWith('{'));
  // a prefix written as an instruction of its own (`rep; stosb`, `lock`)
  const standalone = PREFIX_BYTES[mnemonic];
  if (standalone !== undefined && insn.operands.length === 0) {
    return {
      k: 'fixed',
      enc: { form: PSEUDO_FORM, bytes: Uint8Array.of(...prefixBytes, standalone), fields: [] },
    };
  }
  // GAS writes `int $3` as the one-byte int3
  if (mnemonic === 'int' && insn.operands.length === 1) {
    const op = insn.operands[0] as Operand;
    if (op.kind === 'imm' && constValue(op.expr, line) === 3n)
      return planInstruction({ ...insn, mnemonic: 'int3', operands: [] }, line, sameSectionLabel);
  }
  // `xlat %ds:(%rbx)`, as objdump prints it: the operand only names the segment and address size
  const xop = insn.operands[0];
  if (
    (mnemonic === 'xlat' || mnemonic === 'xlatb') &&
    insn.operands.length === 1 &&
    xop?.kind === 'mem' &&
    (xop.base === Register.RBX || xop.base === Register.EBX) &&
    xop.index === Register.None &&
    xop.disp === null
  ) {
    const words = [...insn.prefixes];
    if (xop.seg !== Register.None && xop.seg !== Register.DS) words.unshift(registerName(xop.seg));
    if (xop.base === Register.EBX) words.push('addr32');
    return planInstruction({ ...insn, prefixes: words, operands: [] }, line, sameSectionLabel);
  }
  const x87 = insn.operands.length === 0 ? X87_DEFAULTS[mnemonic] : undefined;
  if (x87 !== undefined) {
    const operands = x87[1].map((reg): Operand => ({ kind: 'reg', reg, indirect: false }));
    return planInstruction({ ...insn, mnemonic: x87[0], operands }, line, sameSectionLabel);
  }
  // AVX-512 compare pseudo-ops (`vpcmpltub`, `vpcmpneqd`) are vpcmp* with the predicate as imm8;
  // `vpcmpeqb`/`vpcmpeqd` are instructions of their own (0F 74/76), which GAS prefers
  const cmp = /^vpcmp(eq|lt|le|false|neq|nlt|nle|true)(u?[bwdq])$/.exec(mnemonic);
  if (cmp !== null && !formsByMnemonic().has(mnemonic)) {
    const pred = BigInt(VPCMP_PREDICATES.indexOf(cmp[1] as string));
    return planInstruction(
      {
        ...insn,
        mnemonic: `vpcmp${cmp[2]}`,
        operands: [{ kind: 'imm', expr: { k: 'num', v: pred } }, ...insn.operands],
      },
      line,
      sameSectionLabel,
    );
  }
  // SSE/AVX compare pseudo-ops (`cmpltsd`, `vcmpunordps`, `vcmpneq_oqsd`): cmp* with imm8
  const fcmp = /^(v?)cmp([a-z_]+)(ps|pd|ss|sd)$/.exec(mnemonic);
  if (fcmp !== null && !formsByMnemonic().has(mnemonic)) {
    const pred = FP_PRED.indexOf(fcmp[2] as string);
    if (pred >= 0 && pred < (fcmp[1] === 'v' ? 32 : 8)) {
      return planInstruction(
        {
          ...insn,
          mnemonic: `${fcmp[1]}cmp${fcmp[3]}`,
          operands: [{ kind: 'imm', expr: { k: 'num', v: BigInt(pred) } }, ...insn.operands],
        },
        line,
        sameSectionLabel,
      );
    }
  }
  const groups = candidates(mnemonic);
  if (groups.length === 0) throw new AsmError(line, `unknown instruction '${mnemonic}'`);
  let ops = insn.operands;
  // `imul $3, %eax` is `imul $3, %eax, %eax`
  if (/^imul[wlq]?$/.test(mnemonic) && ops.length === 2 && ops[0]?.kind === 'imm' && ops[1]?.kind === 'reg') {
    ops = [ops[0], ops[1], ops[1]];
  }
  const allImm = ops.length > 0 && ops.every((o) => o.kind === 'imm');
  const intel = allImm ? [...ops] : [...ops].reverse();
  const branch = groups.some((g) => g.forms.some((f) => f.specs.some((s) => s.kind === SpecKind.Rel)));
  const ctx: MatchContext = { branch, movabs: mnemonic.startsWith('movabs') };
  const far = /^l(jmp|call)[wlq]?$/.test(mnemonic);
  for (const o of ops) {
    if (o.kind !== 'imm' && o.indirect && !branch && !far)
      throw new AsmError(line, `'*' is only valid with jmp and call`);
  }

  let found: { form: Form; bound: (Operand | null)[] }[] = [];
  for (const g of groups) {
    for (const form of g.forms) {
      if (g.suffix !== 0 && form.osize !== 0 && form.osize !== g.suffix) continue;
      if (g.suffix !== 0 && form.osize === 0) continue;
      const bound = bind(form, intel, ctx, line);
      if (bound !== undefined) found.push({ form, bound });
    }
  }
  if (found.length === 0) {
    throw new AsmError(line, `operand type mismatch for '${mnemonic}'${describeOps(ops)}`);
  }
  // GAS uses EVEX only when the operands need it (%xmm16-31, %zmm, masks, broadcast), even
  // where disp8*N would make the EVEX form shorter, or when `{evex}` asks for it
  // `{sae}`/`{rn-sae}`: only EVEX register forms of rows that allow it
  const rounding = insn.rounding;
  if (rounding !== undefined) {
    found = found.filter(
      (c) =>
        c.form.evex !== undefined &&
        (rounding === 'sae' ? c.form.evex.sae : c.form.evex.er) &&
        c.bound.every((o) => o === null || o.kind !== 'mem'),
    );
  }
  const wantEvex = pseudo === '{evex}' || rounding !== undefined;
  if (wantEvex || found.some((c) => c.form.evex === undefined))
    found = found.filter((c) => (c.form.evex !== undefined) === wantEvex);
  if (found.length === 0) throw new AsmError(line, `no EVEX encoding of '${mnemonic}'${describeOps(ops)}`);
  // Sizes the operands leave open: push/pop/call/jmp default to 64 bits, others to 32 (GAS's default suffix).
  let pool = found;
  const sizes = new Set(pool.map((c) => c.form.osize));
  if (sizes.size > 1) {
    const d64 = pool.filter((c) => c.form.default64 && c.form.osize === 8);
    const l = pool.filter((c) => c.form.osize === 4);
    const z = pool.filter((c) => c.form.osize === 0);
    pool = d64.length > 0 ? d64 : l.length > 0 ? l : z.length > 0 ? z : pool;
  }
  const round = rounding === undefined ? -1 : ROUNDING_MODES.indexOf(rounding);
  const encs = pool.map((c) => encode(c.form, c.bound, prefixBytes, line, pseudo === '{vex3}', round));
  const rel = encs.filter((e) => e.fields.some((f) => f.kind === 'rel'));
  if (rel.length > 0) {
    const short = rel.find((e) => e.fields.some((f) => f.kind === 'rel' && f.size === 1));
    const long = rel.find((e) => e.fields.some((f) => f.kind === 'rel' && f.size === 4));
    const target = (rel[0] as Encoding).fields.find((f) => f.kind === 'rel')?.expr as Expr;
    if (short !== undefined && long !== undefined) {
      if (sameSectionLabel(target)) return { k: 'relax', short, long, target };
      return { k: 'fixed', enc: long, variable: constValue(target, line) === undefined };
    }
    return { k: 'fixed', enc: (long ?? short) as Encoding };
  }
  // shortest wins; on a tie GAS prefers the sign-extended imm8 form (`add $1,%ax` is 66 83 c0 01)
  let best = encs[0] as Encoding;
  for (const e of encs) {
    if (
      e.bytes.length < best.bytes.length ||
      (e.bytes.length === best.bytes.length && immBytes(e) < immBytes(best))
    )
      best = e;
  }
  return { k: 'fixed', enc: best };
}

function immBytes(e: Encoding): number {
  let n = 0;
  for (const f of e.fields) if (f.kind === 'imm' || f.kind === 'simm') n += f.size;
  return n;
}

const PSEUDO_FORM: Form = {
  row: -1,
  mnemonic: '',
  specs: [],
  mandatory: 0,
  rexW: false,
  opcode: [],
  modrmDigit: undefined,
  plusReg: false,
  osize: 0,
  needs66: false,
  default64: false,
  addr32: false,
  vex: undefined,
  evex: undefined,
};

function describeOps(ops: readonly Operand[]): string {
  if (ops.length === 0) return ' (no operands)';
  const one = (o: Operand): string => {
    if (o.kind === 'reg') return `${o.indirect ? '*' : ''}%${registerName(o.reg)}`;
    if (o.kind === 'imm') return '$immediate';
    return o.bare && !o.indirect ? 'address' : `${o.indirect ? '*' : ''}memory`;
  };
  return `: ${ops.map(one).join(', ')}`;
}

/** Binds user operands (Intel order) to the form's specs; null for omitted implicit operands. */
function bind(
  form: Form,
  intel: readonly Operand[],
  ctx: MatchContext,
  line: number,
): (Operand | null)[] | undefined {
  const specs = form.specs;
  if (intel.length === 0 && specs.length > 0) {
    const implicit = specs.every(
      (s) => s.kind === SpecKind.ImplicitMem || (s.kind === SpecKind.Fixed && s.enc === 'Z'),
    );
    return implicit && specs.some((s) => s.kind === SpecKind.ImplicitMem) ? specs.map(() => null) : undefined;
  }
  // `shl %eax` is `shl $1, %eax`
  if (intel.length === specs.length - 1 && specs[specs.length - 1]?.kind === SpecKind.One) {
    for (let i = 0; i < intel.length; i++) {
      if (!matches(specs[i] as Spec, intel[i] as Operand, form, ctx, line)) return undefined;
    }
    return [...intel, null];
  }
  if (intel.length !== specs.length) return undefined;
  for (let i = 0; i < specs.length; i++) {
    if (!matches(specs[i] as Spec, intel[i] as Operand, form, ctx, line)) return undefined;
  }
  return [...intel];
}

function needsRexForByte(reg: Register): boolean {
  return reg >= Register.SPL && reg <= Register.R15L;
}
function isHighByte(reg: Register): boolean {
  return reg >= Register.AH && reg <= Register.BH;
}

function encode(
  form: Form,
  bound: readonly (Operand | null)[],
  userPrefixes: readonly number[],
  line: number,
  vex3 = false,
  round = -1,
): Encoding {
  let rex = form.rexW ? 0x48 : 0;
  let forceRex = false;
  let highByte = false;
  let modReg = form.modrmDigit !== undefined && form.modrmDigit >= 0 ? form.modrmDigit : 0;
  let mem: MemOperand | undefined;
  let rmReg: Register | undefined;
  let opReg: Register | undefined;
  let seg = Register.None;
  let addr32 = false;
  const immOps: { op: Operand; spec: Spec }[] = [];
  let vvvv = 0;
  // EVEX: bit 4 of the ModRM.reg and r/m register numbers (EVEX.R', EVEX.X), the opmask,
  // {z}, and the memory operand's disp8*N and broadcast
  let regHigh = 0;
  let rmHigh = 0;
  let mask = 0;
  let zeroing = false;
  let broadcast = false;
  let dispScale = 1;
  let indexHigh = 0;

  const noteReg = (r: Register): void => {
    if (needsRexForByte(r)) forceRex = true;
    if (isHighByte(r)) highByte = true;
  };
  form.specs.forEach((s, i) => {
    const op = bound[i];
    if (op === null || op === undefined) return;
    if (op.kind !== 'imm' && op.deco !== undefined) {
      if (op.deco.mask !== Register.None) mask = op.deco.mask - Register.K0;
      if (op.deco.zeroing) zeroing = true;
      if (op.deco.broadcast !== 0) broadcast = true;
    }
    if (form.evex !== undefined && op.kind === 'mem' && s.kind === SpecKind.RegMem) {
      // disp8*N: the broadcast element, one element for tuple T1S, else the whole operand
      dispScale = broadcast ? s.bcst : form.evex.t1s !== 0 ? form.evex.t1s : s.memSize || 1;
    }
    switch (s.enc) {
      case 'R': {
        if (op.kind !== 'reg') throw new AsmError(line, 'internal: R operand is not a register');
        const n = regNumber(op.reg);
        modReg = n & 7;
        if (n & 8) rex |= 0x44;
        regHigh = (n >> 4) & 1;
        noteReg(op.reg);
        break;
      }
      case 'M':
        if (op.kind === 'reg') {
          rmReg = op.reg;
          noteReg(op.reg);
        } else if (op.kind === 'mem') mem = op;
        break;
      case 'O':
        if (op.kind === 'reg') {
          opReg = op.reg;
          noteReg(op.reg);
        }
        break;
      case 'V':
        if (op.kind === 'reg') vvvv = regNumber(op.reg);
        break;
      case 'S': // VEX /is4: the register number in imm8[7:4]
        if (op.kind === 'reg') {
          const is4: Expr = { k: 'num', v: BigInt(regNumber(op.reg) << 4) };
          immOps.push({ op: { kind: 'imm', expr: is4 }, spec: { ...s, kind: SpecKind.Imm, size: 1 } });
        }
        break;
      case 'I':
      case 'D':
        if (s.kind === SpecKind.Moffs && op.kind === 'mem') {
          if (op.seg !== Register.DS) seg = op.seg;
          immOps.push({ op: { kind: 'imm', expr: op.disp ?? { k: 'num', v: 0n } }, spec: s });
        } else immOps.push({ op, spec: s });
        break;
      default: // Z: implicit operand, may still carry a segment override (string instructions)
        // GAS drops the segment an operand uses anyway: %es of the destination (which
        // cannot be overridden) and %ds of the source
        if (op.kind === 'mem' && op.seg !== Register.None && op.seg !== Register.DS) {
          const dst = op.base === Register.RDI || op.base === Register.EDI;
          if (!(dst && op.seg === Register.ES)) seg = op.seg;
        }
        break;
    }
  });

  const tail: number[] = [];
  const fields: Field[] = [];
  let modrm: number | undefined;
  let sib: number | undefined;
  let disp: { expr: Expr; size: 1 | 4; rip: boolean } | undefined;
  if (form.modrmDigit !== undefined) {
    if (rmReg !== undefined) {
      const n = regNumber(rmReg);
      if (n & 8) rex |= 0x41;
      rmHigh = (n >> 4) & 1;
      modrm = 0xc0 | (modReg << 3) | (n & 7);
    } else if (mem !== undefined) {
      // GAS emits no prefix for the segment the address uses by default: %ss with a
      // %rsp/%rbp base (not %r12/%r13), else %ds
      const b = mem.base;
      const ss = b === Register.RSP || b === Register.RBP || b === Register.ESP || b === Register.EBP;
      if (mem.seg !== (ss ? Register.SS : Register.DS)) seg = mem.seg;
      const r = encodeMem(mem, line, dispScale);
      indexHigh = r.indexHigh ?? 0;
      modrm = (r.mod << 6) | (modReg << 3) | r.rm;
      sib = r.sib;
      rex |= r.rex;
      addr32 = r.addr32;
      if (r.disp !== undefined) disp = r.disp;
    } else throw new AsmError(line, 'internal: ModRM form without r/m operand');
  }
  const opcode = [...form.opcode];
  if (form.plusReg && opReg !== undefined) {
    const n = regNumber(opReg);
    opcode[opcode.length - 1] = (opcode[opcode.length - 1] as number) + (n & 7);
    if (n & 8) rex |= 0x41;
  }
  if (forceRex) rex |= 0x40;
  if (highByte && rex !== 0)
    throw new AsmError(line, "can't encode %ah/%bh/%ch/%dh in an instruction requiring a REX prefix");

  // prefixes in GNU as order: segment, address size, operand size, rep/lock, mandatory, REX
  // REX prefix words merge into the REX byte (GAS emits one REX)
  const slotted: number[] = [];
  for (const b of userPrefixes) {
    if (b >= 0x40 && b <= 0x4f) rex |= b;
    else slotted.push(b);
  }
  if (seg !== Register.None) slotted.push(SEG_PREFIX[seg] as number);
  if (addr32 || form.addr32) slotted.push(0x67);
  if (form.needs66) slotted.push(0x66);
  // stable: prefixes of one slot keep their order (rex words have no slot and go last)
  const head = slotted
    .map((b, i) => ({ b, i, slot: PREFIX_SLOT[b] ?? 5 }))
    .sort((x, y) => x.slot - y.slot || x.i - y.i)
    .map((x) => x.b);
  if (form.mandatory !== 0) head.push(form.mandatory);
  if (form.evex !== undefined && form.vex !== undefined) {
    const e = { regHigh, rmHigh, mask, zeroing, broadcast, round, indexHigh };
    head.push(...evexPrefix(form.vex, rex, vvvv, e));
  } else if (form.vex !== undefined) head.push(...vexPrefix(form.vex, rex, vvvv, vex3));
  else if (rex !== 0) head.push(rex);
  head.push(...opcode);
  if (modrm !== undefined) head.push(modrm);
  if (sib !== undefined) head.push(sib);
  if (disp !== undefined) {
    fields.push({ expr: disp.expr, at: head.length, size: disp.size, kind: disp.rip ? 'rip' : 'disp' });
    for (let i = 0; i < disp.size; i++) head.push(0);
  }
  for (const { op, spec: s } of immOps) {
    if (op.kind !== 'imm' && !(op.kind === 'mem' && s.kind === SpecKind.Rel))
      throw new AsmError(line, 'internal: immediate operand');
    const expr = op.kind === 'imm' ? op.expr : (op.disp as Expr);
    const size = s.size as 1 | 2 | 4 | 8;
    let kind: Field['kind'];
    if (s.kind === SpecKind.Rel) kind = 'rel';
    else if (s.sx || (size === 4 && form.osize === 8)) kind = 'simm';
    else if (s.kind === SpecKind.Moffs) kind = 'uimm';
    else kind = 'imm';
    fields.push({ expr, at: head.length + tail.length, size, kind });
    for (let i = 0; i < size; i++) tail.push(0);
  }
  const bytes = Uint8Array.from([...head, ...tail]);
  return { form, bytes, fields };
}

/**
 * The VEX prefix: the two-byte C5 form when it can say everything (map 0F, W0, no REX.X/B),
 * as GNU as chooses (unless `{vex3}` asks for C4), else C4. R, X, B and vvvv are stored inverted.
 */
function vexPrefix(v: VexFields, rex: number, vvvv: number, vex3: boolean): number[] {
  const r = (rex >> 2) & 1;
  const x = (rex >> 1) & 1;
  const b = rex & 1;
  const tail = ((~vvvv & 15) << 3) | (v.l << 2) | v.pp;
  if (!vex3 && v.map === 1 && v.w === 0 && x === 0 && b === 0) return [0xc5, ((r ^ 1) << 7) | tail];
  return [0xc4, ((r ^ 1) << 7) | ((x ^ 1) << 6) | ((b ^ 1) << 5) | v.map, (v.w << 7) | tail];
}

/**
 * The four-byte EVEX prefix: 62, then R X B R' 0 mmm, W vvvv 1 pp, z L'L b V' aaa, with
 * R, X, B, R', vvvv and V' stored inverted. EVEX.X extends a register r/m operand to 32
 * registers; V' and R' extend vvvv and ModRM.reg.
 */
function evexPrefix(
  v: VexFields,
  rex: number,
  vvvv: number,
  e: {
    regHigh: number;
    rmHigh: number;
    mask: number;
    zeroing: boolean;
    broadcast: boolean;
    round: number;
    indexHigh: number;
  },
): number[] {
  const r = (rex >> 2) & 1;
  const x = ((rex >> 1) & 1) | e.rmHigh;
  const b = rex & 1;
  const p0 = ((r ^ 1) << 7) | ((x ^ 1) << 6) | ((b ^ 1) << 5) | ((e.regHigh ^ 1) << 4) | v.map;
  const p1 = (v.w << 7) | ((~vvvv & 15) << 3) | 4 | v.pp;
  // V' extends vvvv, or with VSIB the vector index (vvvv is then unused)
  const vHigh = ((vvvv >> 4) & 1) | e.indexHigh;
  // with register operands, EVEX.b means rounding: L'L holds the mode ({sae} alone: 0)
  const l = e.round >= 0 ? e.round & 3 : v.l;
  const evexB = e.broadcast || e.round >= 0 ? 1 : 0;
  const p2 = ((e.zeroing ? 1 : 0) << 7) | (l << 5) | (evexB << 4) | ((vHigh ^ 1) << 3) | e.mask;
  return [0x62, p0, p1, p2];
}

interface MemEncoding {
  mod: number;
  rm: number;
  sib: number | undefined;
  rex: number;
  addr32: boolean;
  disp: { expr: Expr; size: 1 | 4; rip: boolean } | undefined;
  /** Bit 4 of a VSIB vector index (EVEX.V'). */
  indexHigh?: number;
}

/** A vector register used as a VSIB index (`(%rax,%zmm1,4)`). */
function isVectorIndex(reg: Register): boolean {
  const c = regClass(reg);
  return c === RegClass.Xmm || c === RegClass.Ymm || c === RegClass.Zmm;
}

function addrReg(reg: Register, line: number): { n: number; is32: boolean } {
  const size = gprSize(reg);
  if (size !== 8 && size !== 4)
    throw new AsmError(line, `%${registerName(reg)} can't be used as a base or index register`);
  return { n: gprIndex(reg), is32: size === 4 };
}

const SCALE_BITS: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

/** `n8`: EVEX's disp8*N (a disp8 holds the displacement divided by N). */
function encodeMem(m: MemOperand, line: number, n8 = 1): MemEncoding {
  const zero: Expr = { k: 'num', v: 0n };
  if (m.base === Register.RIP || m.base === Register.EIP) {
    return {
      mod: 0,
      rm: 5,
      sib: undefined,
      rex: 0,
      addr32: m.base === Register.EIP,
      disp: { expr: m.disp ?? zero, size: 4, rip: true },
    };
  }
  let rex = 0;
  let addr32: boolean | undefined;
  let idx = 4; // none
  let indexHigh = 0;
  if (m.index !== Register.None && isVectorIndex(m.index)) {
    const n = regNumber(m.index);
    idx = n & 7;
    if (n & 8) rex |= 0x42;
    indexHigh = (n >> 4) & 1;
  } else if (m.index !== Register.None) {
    const r = addrReg(m.index, line);
    addr32 = r.is32;
    idx = r.n & 7;
    if (r.n & 8) rex |= 0x42;
  }
  const scale = SCALE_BITS[m.scale] as number;
  if (m.base === Register.None) {
    return {
      mod: 0,
      rm: 4,
      sib: (scale << 6) | (idx << 3) | 5,
      rex,
      addr32: addr32 ?? false,
      disp: { expr: m.disp ?? zero, size: 4, rip: false },
      indexHigh,
    };
  }
  const b = addrReg(m.base, line);
  if (addr32 !== undefined && addr32 !== b.is32)
    throw new AsmError(line, 'base and index registers must have the same width');
  if (b.n & 8) rex |= 0x41;
  const needSib = m.index !== Register.None || (b.n & 7) === 4;
  const k = m.disp === null ? 0n : constValue(m.disp, line);
  const c = k === undefined ? undefined : signed64(k);
  let mod: number;
  let disp: MemEncoding['disp'];
  if (c === 0n && (b.n & 7) !== 5) mod = 0;
  else if (c !== undefined && n8 > 1) {
    const n = BigInt(n8);
    if (c % n === 0n && fitsS8(c / n)) {
      mod = 1;
      disp = { expr: { k: 'num', v: c / n }, size: 1, rip: false };
    } else {
      mod = 2;
      disp = { expr: m.disp ?? zero, size: 4, rip: false };
    }
  } else if (c !== undefined && fitsS8(c)) {
    mod = 1;
    disp = { expr: m.disp ?? zero, size: 1, rip: false };
  } else {
    mod = 2;
    disp = { expr: m.disp ?? zero, size: 4, rip: false };
  }
  return {
    mod,
    rm: needSib ? 4 : b.n & 7,
    sib: needSib ? (scale << 6) | (idx << 3) | (b.n & 7) : undefined,
    rex,
    addr32: b.is32,
    disp,
    indexHigh,
  };
}
