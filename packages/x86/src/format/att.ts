import * as tables from '../generated/decode.generated.js';
import * as formatTables from '../generated/format.generated.js';
import { Mnemonic, MNEMONIC_NAMES } from '../generated/mnemonic.generated.js';
import { type Instruction, OpKind, Prefix } from '../instruction.js';
import { AttSuffix, OpClass, RowFlag } from '../operand.js';
import { Register } from '../register.js';
import { hexU32, hexU32Pad8, hexUint } from './hex.js';
import { registerName } from './registers.js';

// Module-level bindings of the tables: V8's optimised code reads an imported binding through its
// module cell with a hole check per use (and dev transforms through a namespace getter), where a
// module-level const of this file costs nothing; the formatter reads these several times per instruction.
const OP_CLASS = tables.OP_CLASS;
const OP_MEMSIZE = tables.OP_MEMSIZE;
const ROW_FLAGS = tables.ROW_FLAGS;
const ROW_MNEMONIC = tables.ROW_MNEMONIC;
const ATT_NAME = formatTables.ATT_NAME;
const ATT_SUFFIX = formatTables.ATT_SUFFIX;

/** Options of the AT&T formatter. */
export interface AttOptions {
  /**
   * Names an address for `<sym>` / `<sym+0x10>` after branch targets and `# addr` comments
   * (return the text between the angle brackets, or undefined for none).
   */
  readonly symbolize?: (address: number) => string | undefined;
  /**
   * Print branch targets and `#` comment addresses as bare hex (`401234`), the way objdump
   * does for an ELF file. Default false: `0x401234`, as objdump prints for raw binary input.
   */
  readonly bareAddresses?: boolean;
}

const SUFFIX = ['', 'b', 'w', '', 'l', '', '', '', 'q'];

/** 64-bit hex of an unsigned 32-bit pair, without leading zeros. */
export function hex64(hi: number, lo: number): string {
  if (hi === 0) return hexU32(lo);
  return hexU32(hi) + hexU32Pad8(lo);
}

/** Hex of a JS-number address; negative values print as 64-bit two's complement, like objdump. */
export function hexAddress(a: number): string {
  if (a >= 0) return hexUint(a);
  const hi = Math.floor(a / 4294967296);
  const lo = a - hi * 4294967296;
  return hex64((hi + 4294967296) >>> 0, lo >>> 0);
}

/** A displacement: `0x10`, `-0x8`. */
function signedHex(v: number): string {
  return v < 0 ? `-0x${hexUint(-v)}` : `0x${hexUint(v)}`;
}

/** `%` + the register name, per Register (the formatter prints a register operand many times per listing). */
const REG_TEXT: string[] = [];
for (let r = 0; r < Register.Count; r++) REG_TEXT.push(`%${registerName(r)}`);

function regText(r: number): string {
  return REG_TEXT[r] ?? '%?';
}

/** Spaces after a mnemonic of length i < 6: objdump pads it to 6 columns, then one space. */
const PAD_AFTER: readonly string[] = ['       ', '      ', '     ', '    ', '   ', '  '];

/** Mnemonic facts formatAtt tests per instruction, by Mnemonic: one table read instead of comparison chains. */
const M_COND_BRANCH = 1;
const M_FP_CMP = 2;
const M_VP_CMP = 4;
const M_IN_OUT = 8;
const M_CALL_JMP = 16;
const MNEMONIC_FACTS = new Uint8Array(MNEMONIC_NAMES.length);
{
  const set = (bit: number, ms: readonly number[]): void => {
    for (const m of ms) MNEMONIC_FACTS[m] = (MNEMONIC_FACTS[m] as number) | bit;
  };
  set(M_COND_BRANCH, [Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne, Mnemonic.Jbe, Mnemonic.Ja, Mnemonic.Js,
    Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl, Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg, Mnemonic.Jrcxz, Mnemonic.Jecxz]);
  set(M_FP_CMP, [Mnemonic.Cmpps, Mnemonic.Vcmpps, Mnemonic.Cmppd, Mnemonic.Vcmppd, Mnemonic.Cmpss, Mnemonic.Vcmpss, Mnemonic.Cmpsd, Mnemonic.Vcmpsd]);
  set(M_VP_CMP, [Mnemonic.Vpcmpb, Mnemonic.Vpcmpub, Mnemonic.Vpcmpw, Mnemonic.Vpcmpuw, Mnemonic.Vpcmpd, Mnemonic.Vpcmpud, Mnemonic.Vpcmpq, Mnemonic.Vpcmpuq]);
  set(M_IN_OUT, [Mnemonic.In, Mnemonic.Out, Mnemonic.Insb, Mnemonic.Insw, Mnemonic.Insd, Mnemonic.Outsb, Mnemonic.Outsw, Mnemonic.Outsd]);
  set(M_CALL_JMP, [Mnemonic.Call, Mnemonic.Jmp]);
}

/** The prefix words objdump prints before the mnemonic for prefixes the instruction did not consume. */
export function prefixText(instr: Instruction, intel = false): { text: string; hint: string } {
  const text = prefixWords(instr, intel);
  return { text, hint: prefixHint };
}

/** The branch hint (`,pt` / `,pn`) of the last `prefixWords` call: formatAtt reads it without an object per call. */
let prefixHint = '';

/** An unused REX prefix as objdump prints it, by its low four bits: `rex`, `rex.W`, `rex.WRXB`... */
const REX_WORDS: readonly string[] = Array.from({ length: 16 }, (_, b) =>
  b === 0 ? 'rex' : `rex.${b & 8 ? 'W' : ''}${b & 4 ? 'R' : ''}${b & 2 ? 'X' : ''}${b & 1 ? 'B' : ''}`);

/** prefixText's words; the hint goes to `prefixHint`. */
function prefixWords(instr: Instruction, intel: boolean): string {
  let text = '';
  let hint = '';
  prefixHint = '';
  if (instr.prefixCount === 0) return '';
  const flags = ROW_FLAGS[instr.code] as number;
  // Intel syntax spells branch hints as the segment prefixes (`cs je`), not `je,pn`.
  const cond = !intel && ((MNEMONIC_FACTS[instr.mnemonic] as number) & M_COND_BRANCH) !== 0;
  // A string source (`ds:[rsi]`) absorbs the last CS/DS/ES/SS prefix in Intel syntax when FS/GS do not override it.
  let folded = -1;
  if (intel && instr.memSeg === Register.None) {
    for (let k = 0; k < instr.opCount; k++) {
      if (instr.opKind[k] !== OpKind.MemorySegRsi) continue;
      for (let i = 0; i < instr.prefixCount; i++) {
        const b = instr.prefixBytes[i] as number;
        if (b === 0x2e || b === 0x3e || b === 0x26 || b === 0x36 || b === 0x64 || b === 0x65) folded = i;
      }
    }
  }
  // FS/GS cannot override `es:[rdi]`: on stos/scas/ins objdump shows them as prefix words.
  let esOnly = false;
  for (let k = 0; k < instr.opCount; k++) {
    const kind = instr.opKind[k];
    if (kind === OpKind.MemoryEsRdi) esOnly = true;
    else if (kind === OpKind.MemorySegRsi || kind === OpKind.Memory) { esOnly = false; break; }
  }
  for (let i = 0; i < instr.prefixCount; i++) {
    const b = instr.prefixBytes[i] as number;
    const used = (instr.prefixUsed & (1 << i)) !== 0;
    let word = '';
    switch (b) {
      case 0x66: if (!used) word = 'data16'; break;
      case 0x67: if (!used) word = 'addr32'; break;
      case 0xf0: word = 'lock'; break;
      case 0xf3:
        if (used && (flags & (RowFlag.Rep | RowFlag.Repe)) === 0) break; // mandatory prefix
        if ((instr.prefixes & Prefix.Xrelease) !== 0) word = 'xrelease';
        else word = (flags & RowFlag.Rep) !== 0 ? 'rep' : 'repz';
        break;
      case 0xf2:
        if (used && (flags & (RowFlag.Rep | RowFlag.Repe)) === 0) break;
        if ((instr.prefixes & Prefix.Bnd) !== 0) word = 'bnd';
        else if ((instr.prefixes & Prefix.Xacquire) !== 0) word = 'xacquire';
        else word = 'repnz';
        break;
      case 0x2e: if (cond) hint = ',pn'; else if (i !== folded) word = 'cs'; break;
      case 0x3e:
        if (cond) hint = ',pt';
        else if (i !== folded) word = (instr.prefixes & Prefix.Notrack) !== 0 ? 'notrack' : 'ds';
        break;
      case 0x26: if (i !== folded) word = 'es'; break;
      case 0x36: if (i !== folded) word = 'ss'; break;
      case 0x64: if (!used || esOnly) word = 'fs'; break;
      case 0x65: if (!used || esOnly) word = 'gs'; break;
      default:
        if (b >= 0x40 && b <= 0x4f && !used) {
          word = REX_WORDS[b & 15] as string;
        }
    }
    if (word !== '') text += `${word} `;
  }
  prefixHint = hint;
  return text;
}

function memoryText(instr: Instruction): string {
  let s = '';
  if (instr.memSeg !== Register.None) s += `${regText(instr.memSeg)}:`;
  const base = instr.memBase;
  const index = instr.memIndex;
  if (base === Register.None && index === Register.None) {
    // absolute: objdump prints the address as an unsigned value of the address size
    const d = instr.memDisp;
    if (instr.memDispSize === 8) return `${s}0x${hex64(instr.immHi, instr.immLo)}`;
    return `${s}0x${instr.addressSize === 8 ? hexAddress(d) : hexU32(d >>> 0)}`;
  }
  if (instr.memDispSize !== 0 || base === Register.RIP || base === Register.EIP) s += signedHex(instr.memDisp);
  if (base === Register.None) s += '(';
  else s += `(${regText(base)}`;
  if (index !== Register.None) s += `,${regText(index)},${SCALE_TEXT[instr.memScale] ?? instr.memScale}`;
  return `${s})`;
}

/** `memScale` (1, 2, 4, 8) as text. */
const SCALE_TEXT: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8'];

function immText(instr: Instruction, size: number): string {
  if (size === 8) return `$0x${hex64(instr.immHi, instr.immLo)}`;
  const v = size === 1 ? instr.immLo & 0xff : size === 2 ? instr.immLo & 0xffff : instr.immLo >>> 0;
  return `$0x${hexU32(v)}`;
}

/**
 * objdump's `{evex}` mark: an EVEX encoding that VEX could also encode — a row with a VEX
 * twin (vmovd, vpaddd) used without a mask, {z}, a broadcast, {sae}/{er} or a register only
 * EVEX has.
 */
export function evexPseudoPrefix(instr: Instruction, code: number): boolean {
  if ((instr.prefixes & Prefix.Evex) === 0 || instr.evexRounding !== 0 || instr.memBroadcast || usesEvexOnlyRegister(instr)) return false;
  return ((ROW_FLAGS[code] as number) & RowFlag.VexTwin) !== 0 && instr.opMask === Register.None && !instr.zeroingMasking;
}

/** EVEX.b on a register form: `Instruction.evexRounding` 1 is {sae}, 2-5 the static rounding mode of EVEX.L'L. */
export const ROUNDING: readonly string[] = ['', '{sae}', '{rn-sae}', '{rd-sae}', '{ru-sae}', '{rz-sae}'];

function isVectorRegister(r: number): boolean {
  return r >= Register.XMM0 && r < Register.ZMM0 + 32;
}

/** zmm, xmm16-31/ymm16-31 or a mask register: only EVEX can encode them. */
export function usesEvexOnlyRegister(instr: Instruction): boolean {
  for (let k = 0; k < instr.opCount; k++) {
    if (instr.opKind[k] !== OpKind.Register) continue;
    const r = instr.opReg[k] as number;
    if (r >= Register.ZMM0 && r < Register.ZMM0 + 32) return true;
    if ((r >= Register.XMM0 + 16 && r < Register.XMM0 + 32) || (r >= Register.YMM0 + 16 && r < Register.YMM0 + 32)) return true;
    if (r >= Register.K0 && r <= Register.K7) return true;
  }
  return false;
}

export const FP_PRED: readonly string[] = [
  'eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord', 'eq_uq', 'nge', 'ngt', 'false', 'neq_oq', 'ge', 'gt', 'true',
  'eq_os', 'lt_oq', 'le_oq', 'unord_s', 'neq_us', 'nlt_uq', 'nle_uq', 'ord_s', 'eq_us', 'nge_uq', 'ngt_uq', 'false_os',
  'neq_os', 'ge_oq', 'gt_oq', 'true_us',
];

export function fpCmpSuffix(m: number): string {
  switch (m) {
    case Mnemonic.Cmpps: case Mnemonic.Vcmpps: return 'ps';
    case Mnemonic.Cmppd: case Mnemonic.Vcmppd: return 'pd';
    case Mnemonic.Cmpss: case Mnemonic.Vcmpss: return 'ss';
    case Mnemonic.Cmpsd: case Mnemonic.Vcmpsd: return 'sd';
    default: return '';
  }
}

/**
 * The pseudo-op objdump prints for a compare whose predicate immediate folds into the
 * mnemonic (`cmpsd $1` → `cmpltsd`, VEX forms with 32 predicates; AVX-512 `vpcmpub` with
 * predicates 0-2 and 4-6 → `vpcmpltub`), or undefined; the immediate is then not printed.
 * `name` is the mnemonic as printed so far. Shared by the AT&T and Intel formatters.
 */
export function comparePseudoOp(instr: Instruction, name: string): string | undefined {
  let pseudo: string | undefined;
  const fcmp = fpCmpSuffix(instr.mnemonic);
  if (fcmp !== '' && instr.opKind[instr.opCount - 1] === OpKind.Immediate) {
    const vex = name.charAt(0) === 'v';
    if (instr.immLo < (vex ? 32 : 8)) pseudo = `${vex ? 'v' : ''}cmp${FP_PRED[instr.immLo]}${fcmp}`;
  }
  const cmpSuffix = vpcmpSuffix(instr.mnemonic);
  if (cmpSuffix !== '') {
    const pred = instr.immLo & 7;
    if (instr.immLo < 8 && pred !== 3 && pred !== 7) pseudo = `vpcmp${VPCMP_PRED[pred]}${cmpSuffix}`;
  }
  return pseudo;
}

export const VPCMP_PRED: readonly string[] = ['eq', 'lt', 'le', 'false', 'neq', 'nlt', 'nle', 'true'];

export function vpcmpSuffix(m: number): string {
  switch (m) {
    case Mnemonic.Vpcmpb: return 'b';
    case Mnemonic.Vpcmpub: return 'ub';
    case Mnemonic.Vpcmpw: return 'w';
    case Mnemonic.Vpcmpuw: return 'uw';
    case Mnemonic.Vpcmpd: return 'd';
    case Mnemonic.Vpcmpud: return 'ud';
    case Mnemonic.Vpcmpq: return 'q';
    case Mnemonic.Vpcmpuq: return 'uq';
    default: return '';
  }
}

/** Format one decoded instruction as objdump -d prints it (AT&T syntax, no raw bytes). */
export function formatAtt(instr: Instruction, options?: AttOptions): string {
  const code = instr.code;
  if (code === 0) return '(bad)';
  const pre = prefixWords(instr, false);
  const hint = prefixHint;
  const count = instr.opCount;
  const kinds = instr.opKind;
  const facts = MNEMONIC_FACTS[instr.mnemonic] as number;

  // mnemonic and size suffix
  let name = ATT_NAME[code] ?? '(bad)';
  const rule = ATT_SUFFIX[code] as number;
  if (rule === AttSuffix.Always) {
    name += SUFFIX[instr.operandSize] ?? '';
  } else if (rule === AttSuffix.Auto || rule === AttSuffix.WhenMemory) {
    let memSize = 0;
    let explicitReg = false;
    for (let k = 0; k < count; k++) {
      const cls = OP_CLASS[code * 4 + k] as number;
      if (kinds[k] === OpKind.Memory && (cls === OpClass.GprOrMem)) memSize = instr.opSize[k] as number;
      else if (kinds[k] === OpKind.Register && cls !== OpClass.Fixed) explicitReg = true;
    }
    if (memSize !== 0 && (rule === AttSuffix.WhenMemory || !explicitReg)) name += SUFFIX[memSize] ?? '';
  }
  if (hint !== '') name += hint;
  // AVX-512 integer compares: objdump spells predicates 0-2 and 4-6 as pseudo-ops (vpcmpltub) and drops the imm8.
  let skipImm = false;
  if ((facts & (M_FP_CMP | M_VP_CMP)) !== 0) {
    const pseudo = comparePseudoOp(instr, name);
    if (pseudo !== undefined) {
      name = pseudo;
      skipImm = true;
    }
  }

  // operands, AT&T order (source first)
  let ops = '';
  let ripTarget = Number.NaN;
  const indirect = (facts & M_CALL_JMP) !== 0 && instr.opKind[0] !== OpKind.NearBranch;
  const inOut = ((MNEMONIC_FACTS[ROW_MNEMONIC[code] as number] as number) & M_IN_OUT) !== 0;
  const inOrder = instr.mnemonic === Mnemonic.Enter; // objdump prints enter's immediates in Intel order
  // {sae}/{er} is an operand of its own, before the last vector register of Intel order
  // (`vaddps {rn-sae},%zmm1,...`, `vcvtsi2sd %rax,{rn-sae},%xmm1,%xmm2`, `$0x3,{sae},%zmm1,%zmm2`).
  let roundAt = -1;
  if (instr.evexRounding !== 0) {
    for (let k = 0; k < count; k++) if (kinds[k] === OpKind.Register && isVectorRegister(instr.opReg[k] as number)) roundAt = k;
  }
  for (let j = count - 1; j >= 0; j--) {
    const k = inOrder ? count - 1 - j : j;
    const cls = OP_CLASS[code * 4 + k] as number;
    if (cls === OpClass.One) continue;
    let t = '';
    switch (kinds[k]) {
      case OpKind.Register: {
        const r = instr.opReg[k] as number;
        if (cls === OpClass.St) t = `%st(${r - Register.ST0})`;
        else if (inOut && r === Register.DX) t = '(%dx)';
        else t = regText(r);
        if (indirect) t = `*${t}`;
        break;
      }
      case OpKind.Memory:
        t = memoryText(instr);
        if (instr.memBase === Register.RIP) ripTarget = instr.ip + instr.length + instr.memDisp;
        if (indirect || ATT_NAME[code] === 'lcall' || ATT_NAME[code] === 'ljmp') t = `*${t}`;
        if (instr.memBroadcast) t += `{1to${Math.max(1, Math.round((OP_MEMSIZE[code * 4 + k] as number) / instr.memBroadcastSize))}}`;
        break;
      case OpKind.Immediate:
        if (skipImm) continue;
        t = immText(instr, instr.opSize[k] as number);
        break;
      case OpKind.Immediate2:
        t = `$0x${hexU32(instr.imm2)}`;
        break;
      case OpKind.NearBranch: {
        const target = instr.branchTarget;
        t = options?.bareAddresses ? hexAddress(target) : `0x${hexAddress(target)}`;
        const sym = options?.symbolize?.(target);
        if (sym !== undefined) t += ` <${sym}>`;
        break;
      }
      case OpKind.MemorySegRsi: {
        const seg = instr.memSeg !== Register.None ? registerName(instr.memSeg) : 'ds';
        t = `%${seg}:(%${instr.addressSize === 8 ? 'rsi' : 'esi'})`;
        break;
      }
      case OpKind.MemoryEsRdi:
        t = `%es:(%${instr.addressSize === 8 ? 'rdi' : 'edi'})`;
        break;
      default:
        break;
    }
    if (k === 0) {
      if (instr.opMask !== Register.None) t += `{${regText(instr.opMask)}}`;
      if (instr.zeroingMasking) t += '{z}';
    }
    if (k === roundAt) t = `${ROUNDING[instr.evexRounding] ?? ''},${t}`;
    ops = ops === '' ? t : `${ops},${t}`;
  }
  let s = pre === '' ? name : pre + name;
  if ((instr.prefixes & Prefix.Evex) !== 0 && evexPseudoPrefix(instr, code)) s = `{evex} ${s}`;
  if (ops !== '') s = s.length < 6 ? s + (PAD_AFTER[s.length] as string) + ops : `${s} ${ops}`;
  if (!Number.isNaN(ripTarget)) {
    s += `        # ${options?.bareAddresses ? hexAddress(ripTarget) : `0x${hexAddress(ripTarget)}`}`;
    const sym = options?.symbolize?.(ripTarget);
    if (sym !== undefined) s += ` <${sym}>`;
  }
  return s;
}
