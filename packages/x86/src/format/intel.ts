import { OP_CLASS, ROW_FLAGS, ROW_W } from '../generated/decode.generated.js';
import { ATT_NAME } from '../generated/format.generated.js';
import { Code } from '../generated/code.generated.js';
import { Mnemonic, MNEMONIC_NAMES } from '../generated/mnemonic.generated.js';
import { type Instruction, OpKind } from '../instruction.js';
import { OpClass, RowFlag } from '../operand.js';
import { Register } from '../register.js';
import {
  type AttOptions, comparePseudoOp, hex64, hexAddress, evexPseudoPrefix, prefixText, ROUNDING,
} from './att.js';
import { registerName } from './registers.js';

/** Options of the Intel formatter: the same as the AT&T formatter's. */
export type IntelOptions = AttOptions;

/**
 * Rows whose `Mnemonic` is shared across operand sizes, where objdump -M intel shows the
 * size in the name (`iretw`, `leavew`, `sysretd`, `retfq`).
 */
const CODE_NAME: ReadonlyMap<number, string> = new Map<number, string>([
  [Code.Iretw, 'iretw'],
  [Code.Iretd, 'iret'],
  [Code.Iretq, 'iretq'],
  [Code.Sysretd, 'sysretd'],
  [Code.Sysretq, 'sysretq'],
  [Code.Retfd, 'retf'],
  [Code.Retfq, 'retfq'],
  [Code.Retfd_imm16, 'retf'],
  [Code.Retfq_imm16, 'retfq'],
  [Code.Leavew, 'leavew'],
  [Code.Sysexitq, 'sysexitq'],
]);

/** Mnemonics objdump spells differently from the SDM in Intel syntax (the SDM's PUSHF is the 16-bit form). */
const MNEMONIC_NAME: ReadonlyMap<number, string> = new Map<number, string>([
  [Mnemonic.Pushfq, 'pushf'],
  [Mnemonic.Popfq, 'popf'],
  [Mnemonic.Pushf, 'pushfw'],
  [Mnemonic.Popf, 'popfw'],
  [Mnemonic.Xlatb, 'xlat'],
]);

/** Size keyword of a memory operand of `size` bytes; `vector` picks XMMWORD over OWORD for 16. */
function sizeKeyword(size: number, vector: boolean): string {
  switch (size) {
    case 1: return 'BYTE';
    case 2: return 'WORD';
    case 4: return 'DWORD';
    case 6: return 'FWORD';
    case 8: return 'QWORD';
    case 10: return 'TBYTE';
    case 16: return vector ? 'XMMWORD' : 'OWORD';
    case 32: return 'YMMWORD';
    case 64: return 'ZMMWORD';
    default: return '';
  }
}

function isVectorClass(cls: number): boolean {
  return cls === OpClass.XmmOrMem || cls === OpClass.YmmOrMem || cls === OpClass.ZmmOrMem || cls === OpClass.Xmm ||
    cls === OpClass.Ymm || cls === OpClass.Zmm;
}

/** `[base+index*scale+disp]`, `ds:0x1234`, with the segment override in front. */
function memoryText(instr: Instruction): string {
  const base = instr.memBase;
  const index = instr.memIndex;
  const seg = instr.memSeg !== Register.None ? `${registerName(instr.memSeg)}:` : '';
  if (base === Register.None && index === Register.None) {
    const d = instr.memDisp;
    const a = instr.memDispSize === 8 ? hex64(instr.immHi, instr.immLo)
      : instr.addressSize === 8 ? hexAddress(d) : (d >>> 0).toString(16);
    return `${seg === '' ? 'ds:' : seg}0x${a}`;
  }
  let s = `${seg}[`;
  if (base === Register.RIP || base === Register.EIP) {
    // objdump prints a RIP-relative displacement as an unsigned address-size value.
    const d = instr.memDisp;
    return `${s}${registerName(base)}+0x${base === Register.RIP ? hexAddress(d) : (d >>> 0).toString(16)}]`;
  }
  let first = true;
  if (base !== Register.None) { s += registerName(base); first = false; }
  if (index !== Register.None) {
    s += `${first ? '' : '+'}${registerName(index)}*${instr.memScale}`;
    first = false;
  }
  if (instr.memDispSize !== 0) {
    const d = instr.memDisp;
    s += d < 0 ? `-0x${(-d).toString(16)}` : `+0x${d.toString(16)}`;
  }
  return `${s}]`;
}

function immText(instr: Instruction, size: number): string {
  if (size === 8) return `0x${hex64(instr.immHi, instr.immLo)}`;
  const v = size === 1 ? instr.immLo & 0xff : size === 2 ? instr.immLo & 0xffff : instr.immLo >>> 0;
  return `0x${v.toString(16)}`;
}

/** Register name in Intel syntax: debug registers are `dr0`, not `db0`; ST(i) from ModRM.rm prints its number (`st(0)`). */
function intelRegister(r: number, cls: number): string {
  if (cls === OpClass.St) return `st(${r - Register.ST0})`;
  if (r >= Register.DR0 && r <= Register.DR15) return `dr${r - Register.DR0}`;
  return registerName(r);
}

/** The Intel mnemonic objdump prints for `instr`, before pseudo-op rewriting. */
function intelName(instr: Instruction): string {
  const byCode = CODE_NAME.get(instr.code);
  if (byCode !== undefined) return byCode;
  // `movabs` (64-bit immediate or moffs) keeps its GNU name in both syntaxes.
  const att = ATT_NAME[instr.code];
  if (att === 'movabs') return att;
  // push of a 16-bit immediate (66 6A / 66 68): the operand size shows only in the mnemonic.
  if (instr.mnemonic === Mnemonic.Push && instr.opKind[0] === OpKind.Immediate && instr.operandSize === 2) return 'pushw';
  // Far call/jmp with REX.W: objdump keeps the REX.W it does not otherwise show.
  if (att?.startsWith('rex.W ')) return `rex.W ${MNEMONIC_NAMES[instr.mnemonic] ?? ''}`;
  const m = instr.mnemonic;
  const byMnemonic = MNEMONIC_NAME.get(m);
  if (byMnemonic !== undefined) return byMnemonic;
  const name = MNEMONIC_NAMES[m] ?? '(bad)';
  // String instructions: objdump names the operation (`movs`, `stos`) and prints the sized operands.
  for (let k = 0; k < instr.opCount; k++) {
    const kind = instr.opKind[k];
    if (kind === OpKind.MemorySegRsi || kind === OpKind.MemoryEsRdi) return name.slice(0, -1);
  }
  return name;
}

/** Format one decoded instruction as `objdump -d -M intel` prints it (no raw bytes). */
export function formatIntel(instr: Instruction, options?: IntelOptions): string {
  const code = instr.code;
  if (code === 0) return '(bad)';
  const count = instr.opCount;
  const kinds = instr.opKind;
  let moffs = false;
  for (let k = 0; k < count; k++) if ((OP_CLASS[code * 4 + k] as number) === OpClass.Moffs) moffs = true;
  const prefixes = prefixText(instr, true);
  let pre = prefixes.text;
  let name = intelName(instr);
  // moffs with a 32-bit address: objdump prints `addr32 mov` instead of `movabs`.
  if (moffs && instr.addressSize === 4) {
    name = 'mov';
    pre += 'addr32 ';
  }
  name += prefixes.hint; // always empty in Intel syntax: hints print as `cs`/`ds`

  const pseudo = comparePseudoOp(instr, name);
  const skipImm = pseudo !== undefined;
  if (pseudo !== undefined) name = pseudo;

  const m = instr.mnemonic;
  // Far pointers are FWORDs: m16:32 is 6 bytes in the table, but objdump also calls m16:64 (10 bytes) an FWORD.
  const far = m === Mnemonic.Call || m === Mnemonic.Jmp || m === Mnemonic.Lss || m === Mnemonic.Lfs || m === Mnemonic.Lgs;
  // Memory operands objdump leaves unsized although the SDM gives them a width.
  const unsized = m === Mnemonic.Lgdt || m === Mnemonic.Lidt || m === Mnemonic.Sgdt || m === Mnemonic.Sidt ||
    m === Mnemonic.Lddqu || m === Mnemonic.Vlddqu || m === Mnemonic.Invpcid;
  // MMX punpckl* read only the low half of m64 (objdump prints DWORD PTR).
  const halfMmx = m === Mnemonic.Punpcklbw || m === Mnemonic.Punpcklwd || m === Mnemonic.Punpckldq;
  const vsib = ((ROW_FLAGS[code] as number) & RowFlag.Vsib) !== 0;
  // A 16-byte memory operand is an XMMWORD in vector instructions, an OWORD otherwise (cmpxchg16b).
  let vector = false;
  for (let k = 0; k < count; k++) if (isVectorClass(OP_CLASS[code * 4 + k] as number)) vector = true;
  let ops = '';
  let ripTarget = Number.NaN;
  // {sae}/{er} follow the last register operand (`zmm1{sae},0x1`).
  let lastReg = -1;
  for (let k = 0; k < count; k++) if (kinds[k] === OpKind.Register) lastReg = k;
  for (let k = 0; k < count; k++) {
    const cls = OP_CLASS[code * 4 + k] as number;
    let t = '';
    switch (kinds[k]) {
      case OpKind.Register:
        // ST(i) from ModRM.rm prints its number (`st(0)`); the fixed ST(0) operand prints `st`.
        t = intelRegister(instr.opReg[k] as number, cls);
        break;
      case OpKind.Memory: {
        let size = instr.opSize[k] as number;
        // VSIB: the table's vm32x/vm64y size the index; objdump sizes the gathered element (W0 dword, W1 qword).
        if (vsib) size = (ROW_W[code] as number) === 2 ? 8 : 4;
        else if (halfMmx && cls === OpClass.MmxOrMem) size = 4;
        const kw = far && cls === OpClass.Mem ? 'FWORD' : unsized || cls === OpClass.Moffs ? '' : sizeKeyword(size, vector);
        t = memoryText(instr);
        if (instr.memBroadcast) t = `${kw} BCST ${t}`;
        else if (kw !== '') t = `${kw} PTR ${t}`;
        if (instr.memBase === Register.RIP) ripTarget = instr.ip + instr.length + instr.memDisp;
        break;
      }
      case OpKind.Immediate:
        if (skipImm) continue;
        t = cls === OpClass.One ? '1' : immText(instr, instr.opSize[k] as number);
        break;
      case OpKind.Immediate2:
        t = `0x${instr.imm2.toString(16)}`;
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
        t = `${sizeKeyword(instr.opSize[k] as number, false)} PTR ${seg}:[${instr.addressSize === 8 ? 'rsi' : 'esi'}]`;
        break;
      }
      case OpKind.MemoryEsRdi:
        t = `${sizeKeyword(instr.opSize[k] as number, false)} PTR es:[${instr.addressSize === 8 ? 'rdi' : 'edi'}]`;
        break;
      default:
        break;
    }
    if (k === 0 && instr.opMask !== Register.None) t += `{${registerName(instr.opMask)}}`;
    if (k === 0 && instr.zeroingMasking) t += '{z}';
    if (k === lastReg && instr.evexRounding !== 0) t += ROUNDING[instr.evexRounding] ?? '';
    ops += ops === '' ? t : `,${t}`;
  }
  if (m === Mnemonic.Xlatb) ops = 'BYTE PTR ds:[rbx]';
  else if (m === Mnemonic.Monitor || m === Mnemonic.Mwait) ops = ''; // implicit operands are not printed
  let s = pre + name;
  if (evexPseudoPrefix(instr, code)) s = `{evex} ${s}`;
  if (ops !== '') s = `${s.padEnd(6)} ${ops}`;
  if (!Number.isNaN(ripTarget)) {
    s += `        # ${options?.bareAddresses ? hexAddress(ripTarget) : `0x${hexAddress(ripTarget)}`}`;
    const sym = options?.symbolize?.(ripTarget);
    if (sym !== undefined) s += ` <${sym}>`;
  }
  return s;
}
