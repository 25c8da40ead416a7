import { type Instruction, Mnemonic as M, OpKind, Register } from '@legosim/x86';
import { Rflags } from '../constants.js';
import { FlagOp } from '../flags.js';
import { CONDITIONS } from '../semantics/data.js';

/**
 * JavaScript source for the commonest instruction forms, specialised to their operands:
 * register numbers, sizes, displacements and immediates become constants, so a translated
 * block computes on `lo`/`hi` directly instead of dispatching on operand kinds.
 *
 * Each emitter reproduces its handler in `semantics/` exactly — the same results, the same
 * lazy-flags record, the same memory accesses in the same order — and declines (returns
 * undefined) for any form it does not cover; the block then calls the handler itself.
 * Only 32- and 64-bit general-purpose operands and 64-bit addressing are covered.
 *
 * In the emitted code `c` is the Cpu, `lo`/`hi` its register halves, `f` its lazy flags.
 */

const TWO32 = 4294967296;

/** JCC mnemonic → condition code. */
const JCC_CONDITION = new Map<number, number>(CONDITIONS.map(([jcc], cc) => [jcc, cc]));

/** GPR index 0..15 of a 32- or 64-bit register operand, or -1. */
function gpr(ins: Instruction, n: number): number {
  if (ins.opKind[n] !== OpKind.Register) return -1;
  const r = ins.opReg[n]!;
  if (ins.opSize[n] === 8 && r >= Register.RAX && r <= Register.R15) return r - Register.RAX;
  if (ins.opSize[n] === 4 && r >= Register.EAX && r <= Register.R15D) return r - Register.EAX;
  return -1;
}

function int(v: number): string {
  return String(v | 0);
}

function num(v: number): string {
  return String(v);
}

/**
 * The effective address without segment base as two sum expressions, `[low, high]`, to be
 * carried into 64 bits as `Cpu.ea` does: the low one adds the displacement, the base's and
 * the scaled index's low halves (unsigned); the high one their high halves. Undefined when
 * the base or index is not a 64-bit GPR (RIP-relative operands are handled by the callers).
 */
function addressSums(ins: Instruction): [low: string, high: string] | undefined {
  const base = ins.memBase;
  const index = ins.memIndex;
  if (base !== Register.None && (base < Register.RAX || base > Register.R15)) return undefined;
  if (index !== Register.None && (index < Register.RAX || index > Register.R15)) return undefined;
  let low = num(ins.memDisp);
  let high = '0';
  if (base !== Register.None) {
    low += ` + (lo[${base - Register.RAX}] >>> 0)`;
    high += ` + hi[${base - Register.RAX}]`;
  }
  if (index !== Register.None) {
    low += ` + (lo[${index - Register.RAX}] >>> 0) * ${ins.memScale}`;
    high += ` + hi[${index - Register.RAX}] * ${ins.memScale}`;
  }
  return [low, high];
}

/**
 * The linear address of the memory operand, or undefined for forms left to the handler.
 * Without an index, `hi * 2^32 + lo + disp` is exact for every base that can give a
 * canonical address, and a non-canonical one stays non-canonical (the MMU raises #GP as
 * the handler's would); with an index the halves are summed as `Cpu.ea` does.
 */
function address(ins: Instruction): string | undefined {
  if (ins.addressSize !== 8) return undefined;
  let seg = '';
  if (ins.memSeg === Register.FS) seg = ' + c.fsBase';
  else if (ins.memSeg === Register.GS) seg = ' + c.gsBase';
  else if (ins.memSeg !== Register.None) return undefined;
  const base = ins.memBase;
  if (base === Register.RIP) return `(${num(ins.ip + ins.length + ins.memDisp)}${seg})`;
  const sums = addressSums(ins);
  if (sums === undefined) return undefined;
  if (ins.memIndex === Register.None) {
    if (base === Register.None) return `(${num(ins.memDisp)}${seg})`;
    const b = base - Register.RAX;
    return `(hi[${b}] * ${TWO32} + (lo[${b}] >>> 0) + ${num(ins.memDisp)}${seg})`;
  }
  return `ea(${sums[0]}, ${sums[1]})${seg}`;
}

/** `ea(low sum, high sum)`: the 64-bit address from summed halves, wrapped as `Cpu.ea` wraps it. */
export const EA_HELPER: string = `function ea(s, h) { const l = s >>> 0; return ((h + (s - l) / ${TWO32}) | 0) * ${TWO32} + l; }`;

/**
 * The memory operand as a base register (or -1), a displacement and a segment (0, 1 FS,
 * 2 GS), when it has no index: the block then passes these integers to `Cpu.readAt*`/
 * `writeAt*` instead of a computed address (see `Cpu.addressAt`).
 */
function baseDisplacement(ins: Instruction): string | undefined {
  if (ins.addressSize !== 8 || ins.memIndex !== Register.None) return undefined;
  const seg = ins.memSeg === Register.FS ? 1 : ins.memSeg === Register.GS ? 2 : ins.memSeg === Register.None ? 0 : -1;
  const base = ins.memBase;
  if (seg < 0 || base === Register.RIP) return undefined;
  if (base !== Register.None && (base < Register.RAX || base > Register.R15)) return undefined;
  return `${base === Register.None ? -1 : base - Register.RAX}, ${int(ins.memDisp)}, ${seg}`;
}

/**
 * The TLB lookup of a direct access to `la` (see `DirectTlb`): declares the offset in the
 * page, the page number, the entry and its frame, and opens the test for a hit — a RAM
 * frame, an aligned access, the page's tag and the `right` the access needs at the current
 * privilege level. `tlb*` and `m` (the MMU) are the block's constants.
 */
function tlbHit(la: string, size: 1 | 4 | 8, right: 'readBit' | 'writeBit'): string {
  const aligned = size === 1 ? '' : ` && (xo & ${size - 1}) === 0`;
  return (
    `const xa = ${la}, xo = xa & 4095, xp = (xa - xo) / 4096, xi = xp & tlbMask, xw = tlbWords[xi]; ` +
    `if (xw !== null${aligned} && tlbTag[xi] === xp && (tlbOk[xi] & m.${right}) !== 0)`
  );
}

/**
 * Statements reading 1, 4 or 8 bytes at the linear address `la` into the variables `v` (and
 * `vHi`, the high half), declared by the caller: a hit is read from the frame here, as
 * `Mmu.read8`/`read32`/`read64` would read it (a byte is a lane of its little-endian word),
 * and anything else (a miss, a right the entry lacks, an unaligned or MMIO access, a
 * fault) goes through the Cpu's accessor.
 */
function tlbRead(la: string, size: 1 | 4 | 8, v: string, vHi: string): string {
  let hit: string;
  let miss: string;
  if (size === 1) {
    hit = `${v} = (xw[xo >> 2] >>> ((xo & 3) << 3)) & 255;`;
    miss = `${v} = c.read8(xa);`;
  } else if (size === 4) {
    hit = `${v} = xw[xo >> 2];`;
    miss = `${v} = c.read32(xa);`;
  } else {
    hit = `${vHi} = xw[(xo >> 2) + 1]; ${v} = xw[xo >> 2];`;
    miss = `${v} = c.read64(xa); ${vHi} = c.vhi;`;
  }
  return `{ ${tlbHit(la, size, 'readBit')} { m.tlbHits++; ${hit} } else { ${miss} } }`;
}

/** Statements writing `v` (and `vHi`) as 1, 4 or 8 bytes at `la`; a hit bumps the frame's write version. */
function tlbWrite(la: string, size: 1 | 4 | 8, v: string, vHi: string): string {
  let hit: string;
  let miss: string;
  if (size === 1) {
    hit = `const xs = (xo & 3) << 3; xw[xo >> 2] = (xw[xo >> 2] & ~(255 << xs)) | ((${v} & 255) << xs);`;
    miss = `c.write8(xa, ${v});`;
  } else if (size === 4) {
    hit = `xw[xo >> 2] = ${v};`;
    miss = `c.write32(xa, ${v});`;
  } else {
    hit = `xw[(xo >> 2) + 1] = ${vHi}; xw[xo >> 2] = ${v};`;
    miss = `c.write64(xa, ${v}, ${vHi});`;
  }
  return `{ ${tlbHit(la, size, 'writeBit')} { m.tlbHits++; ${hit} pv[tlbPfn[xi]]++; } else { ${miss} } }`;
}

/**
 * Statements declaring `v` (and `vHi` for 8 bytes) as the memory operand read at `size`
 * bytes, or undefined for forms left to the handler. With `direct`, 1-, 4- and 8-byte reads
 * look the TLB up inline (`tlbRead`); otherwise, and for words, the block calls
 * `Cpu.readAt*` (or `Cpu.read*` of a computed address).
 */
function loadInto(ins: Instruction, size: number, v: string, vHi: string, direct: boolean): string | undefined {
  const inline = direct && size !== 2;
  const at = inline ? undefined : baseDisplacement(ins);
  let read: string;
  if (at !== undefined) read = `c.readAt${size * 8}(${at})`;
  else {
    const la = address(ins);
    if (la === undefined) return undefined;
    if (inline) return `let ${v}${size === 8 ? `, ${vHi}` : ''}; ${tlbRead(la, size as 1 | 4 | 8, v, vHi)}`;
    read = `c.read${size * 8}(${la})`;
  }
  return size === 8 ? `const ${v} = ${read}; const ${vHi} = c.vhi;` : `const ${v} = ${read};`;
}

/** A statement writing `v` (and `vHi` for 8 bytes) to the memory operand; `loadInto`'s twin. */
function store(ins: Instruction, size: 1 | 4 | 8, v: string, vHi: string, direct: boolean): string | undefined {
  // (the Cpu has no writeAt8: a byte store without the direct TLB goes to `write8` of the address)
  const at = direct || size === 1 ? undefined : baseDisplacement(ins);
  if (at !== undefined) return size === 4 ? `c.writeAt32(${at}, ${v});` : `c.writeAt64(${at}, ${v}, ${vHi});`;
  const la = address(ins);
  if (la === undefined) return undefined;
  if (direct) return tlbWrite(la, size, v, vHi);
  return size === 1 ? `c.write8(${la}, ${v});` : size === 4 ? `c.write32(${la}, ${v});` : `c.write64(${la}, ${v}, ${vHi});`;
}

/**
 * A 64-bit push of `v`/`vHi` (`Cpu.push64`): the store at RSP - 8, then RSP moves, so a
 * fault leaves RSP as it was. RSP - 8 is computed on the halves, exact for every value.
 */
function push(v: string, vHi: string, direct: boolean): string {
  if (!direct) return `c.push64(${v}, ${vHi});`;
  const la = `nh * ${TWO32} + (nl >>> 0)`;
  return `{ const sl = lo[4], nl = (sl - 8) | 0, nh = (hi[4] - ((sl >>> 0) < 8 ? 1 : 0)) | 0; ${tlbWrite(la, 8, v, vHi)} lo[4] = nl; hi[4] = nh; }`;
}

/** Statements declaring `v`/`vHi` as a 64-bit pop (`Cpu.pop64`): the load at RSP, then RSP moves. */
function pop(v: string, vHi: string, direct: boolean): string {
  if (!direct) return `const ${v} = c.pop64(); const ${vHi} = c.vhi;`;
  const la = `sh * ${TWO32} + (sl >>> 0)`;
  return (
    `const sl = lo[4], sh = hi[4]; let ${v}, ${vHi}; ${tlbRead(la, 8, v, vHi)} ` +
    `const nl = (sl + 8) | 0; lo[4] = nl; hi[4] = (sh + ((nl >>> 0) < (sl >>> 0) ? 1 : 0)) | 0;`
  );
}

/** Source operand `n` as `[low, high]` expressions for an operation of `size` (4 or 8), or undefined. */
function source(ins: Instruction, n: number, size: number, pre: string[], direct: boolean): [string, string] | undefined {
  const kind = ins.opKind[n];
  if (kind === OpKind.Immediate) return [int(ins.immLo), size === 8 ? int(ins.immHi) : '0'];
  const r = gpr(ins, n);
  if (r >= 0) {
    // read into locals: the destination may be the same register, written before the flags
    pre.push(size === 8 ? `const b = lo[${r}], bHi = hi[${r}];` : `const b = lo[${r}];`);
    return ['b', size === 8 ? 'bHi' : '0'];
  }
  if (kind !== OpKind.Memory || ins.opSize[n] !== size) return undefined;
  const read = loadInto(ins, size, 'b', 'bHi', direct);
  if (read === undefined) return undefined;
  pre.push(read);
  return ['b', size === 8 ? 'bHi' : '0'];
}

const ALU = new Map<number, FlagOp>([
  [M.Add, FlagOp.Add],
  [M.Sub, FlagOp.Sub],
  [M.Cmp, FlagOp.Sub],
  [M.And, FlagOp.Logic],
  [M.Or, FlagOp.Logic],
  [M.Xor, FlagOp.Logic],
  [M.Test, FlagOp.Logic],
]);

/** A byte register's value (0..255) as an expression, or undefined when `n` is not one. */
function byteRegister(ins: Instruction, n: number): string | undefined {
  if (ins.opKind[n] !== OpKind.Register || ins.opSize[n] !== 1) return undefined;
  const r = ins.opReg[n]!;
  if (r >= Register.AL && r <= Register.R15L) return `(lo[${r - Register.AL}] & 255)`;
  if (r >= Register.AH && r <= Register.BH) return `((lo[${r - Register.AH}] >> 8) & 255)`;
  return undefined;
}

/** A statement writing byte `v` (0..255) into byte register operand `n`, merged as `writeReg` merges it. */
function setByteRegister(ins: Instruction, n: number, v: string): string | undefined {
  const r = ins.opReg[n]!;
  if (r >= Register.AL && r <= Register.R15L) return `lo[${r - Register.AL}] = (lo[${r - Register.AL}] & ~255) | ${v};`;
  if (r >= Register.AH && r <= Register.BH) return `lo[${r - Register.AH}] = (lo[${r - Register.AH}] & ~0xff00) | (${v} << 8);`;
  return undefined;
}

/** mov of a byte between registers, memory and an immediate (`data.ts`): no flags, the rest of the register kept. */
function byteMov(ins: Instruction, direct: boolean): string | undefined {
  let pre = '';
  let v: string | undefined;
  const from = ins.opKind[1];
  if (from === OpKind.Immediate) v = String(ins.immLo & 255);
  else if (from === OpKind.Register) v = byteRegister(ins, 1);
  else if (from === OpKind.Memory && ins.opKind[0] === OpKind.Register) {
    const read = loadInto(ins, 1, 'v', '', direct);
    if (read === undefined) return undefined;
    pre = read;
    v = 'v';
  }
  if (v === undefined) return undefined;
  let write: string | undefined;
  if (ins.opKind[0] === OpKind.Register && ins.opSize[0] === 1) write = setByteRegister(ins, 0, v);
  else if (ins.opKind[0] === OpKind.Memory) write = store(ins, 1, v, '', direct);
  return write === undefined ? undefined : `{ ${pre} ${write} }`;
}

/**
 * cmp/test of bytes (`alu.ts` with size 1: both operands masked to 8 bits, no write).
 * Byte arithmetic that writes would merge into the register; it stays with the handler.
 */
function byteCompare(ins: Instruction, direct: boolean): string | undefined {
  const m = ins.mnemonic;
  if ((m !== M.Cmp && m !== M.Test) || ins.opCount !== 2 || ins.opSize[0] !== 1) return undefined;
  const pre: string[] = [];
  let a = byteRegister(ins, 0);
  if (a === undefined) {
    const read = ins.opKind[0] === OpKind.Memory ? loadInto(ins, 1, 'a', '', direct) : undefined;
    if (read === undefined) return undefined;
    pre.push(read);
    a = 'a';
  }
  let b = byteRegister(ins, 1);
  if (b === undefined) {
    if (ins.opKind[1] !== OpKind.Immediate) return undefined;
    b = String(ins.immLo & 0xff);
  }
  const op = m === M.Cmp ? FlagOp.Sub : FlagOp.Logic;
  const r = m === M.Cmp ? '(x - y) & 255' : 'x & y';
  return `{ ${pre.join(' ')} const x = ${a}, y = ${b}; f.set(${op}, 1, x, 0, y, 0, ${r}, 0); }`;
}

/**
 * add/sub/cmp/and/or/xor/test of 32- or 64-bit operands, into a register or memory
 * (`alu.ts`: read the destination, then the source; compute; write; set the lazy flags).
 */
function alu(ins: Instruction, direct: boolean): string | undefined {
  const op = ALU.get(ins.mnemonic);
  if (op === undefined || ins.opCount !== 2) return undefined;
  const size = ins.opSize[0]!;
  if (size !== 4 && size !== 8) return undefined;
  const m = ins.mnemonic;
  const write = m !== M.Cmp && m !== M.Test;
  const lines: string[] = [];
  const d = gpr(ins, 0);
  let written = '';
  if (d >= 0) {
    lines.push(`const a = lo[${d}];`);
    if (size === 8) lines.push(`const aHi = hi[${d}];`);
  } else if (ins.opKind[0] === OpKind.Memory && ins.opSize[0] === size) {
    const read = loadInto(ins, size, 'a', 'aHi', direct);
    const write = store(ins, size, 'r', 'rHi', direct);
    if (read === undefined || write === undefined) return undefined;
    lines.push(read);
    written = write;
  } else return undefined;
  const pre: string[] = [];
  const src = source(ins, 1, size, pre, direct);
  if (src === undefined || (written !== '' && ins.opKind[1] === OpKind.Memory)) return undefined;
  lines.push(...pre);
  const [b, bHi] = src;
  const aHi = size === 8 ? 'aHi' : '0';
  let r: string;
  let rHi = '0';
  if (m === M.Add) {
    r = `(a + ${b}) | 0`;
    if (size === 8) rHi = `(aHi + ${bHi} + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0`;
  } else if (m === M.Sub || m === M.Cmp) {
    r = `(a - ${b}) | 0`;
    if (size === 8) rHi = `(aHi - ${bHi} - ((a >>> 0) < (${b} >>> 0) ? 1 : 0)) | 0`;
  } else {
    const o = m === M.Or ? '|' : m === M.Xor ? '^' : '&';
    r = `a ${o} ${b}`;
    if (size === 8) rHi = `aHi ${o} ${bHi}`;
  }
  lines.push(`const r = ${r};`, `const rHi = ${rHi};`);
  if (write) lines.push(written !== '' ? written : `lo[${d}] = r; hi[${d}] = rHi;`);
  lines.push(`f.set(${op}, ${size}, a, ${aHi}, ${b}, ${bHi}, r, rHi);`);
  return `{ ${lines.join(' ')} }`;
}

/** movzx into a 32- or 64-bit register from a byte or word register or memory (`data.ts`). */
function movzx(ins: Instruction, direct: boolean): string | undefined {
  const d = gpr(ins, 0);
  const from = ins.opSize[1]!;
  if (d < 0 || (from !== 1 && from !== 2)) return undefined;
  let v: string | undefined;
  if (from === 1) v = byteRegister(ins, 1);
  else if (ins.opKind[1] === OpKind.Register) {
    const r = ins.opReg[1]!;
    if (r >= Register.AX && r <= Register.R15W) v = `(lo[${r - Register.AX}] & 65535)`;
  }
  if (v !== undefined) return `lo[${d}] = ${v}; hi[${d}] = 0;`;
  const read = ins.opKind[1] === OpKind.Memory ? loadInto(ins, from, 'v', '', direct) : undefined;
  return read === undefined ? undefined : `{ ${read} lo[${d}] = v; hi[${d}] = 0; }`;
}

/** mov between registers, memory and immediates (`data.ts`; system registers are not GPRs and decline). */
function mov(ins: Instruction, direct: boolean): string | undefined {
  if (ins.mnemonic !== M.Mov || ins.opCount !== 2) return undefined;
  const size = ins.opSize[0]!;
  if (size === 1) return byteMov(ins, direct);
  if (size !== 4 && size !== 8) return undefined;
  const d = gpr(ins, 0);
  if (d >= 0) {
    const pre: string[] = [];
    const src = source(ins, 1, size, pre, direct);
    if (src === undefined) return undefined;
    return `{ ${pre.join(' ')} lo[${d}] = ${src[0]}; hi[${d}] = ${src[1]}; }`;
  }
  if (ins.opKind[0] !== OpKind.Memory) return undefined;
  const s = gpr(ins, 1);
  let v: string;
  let vHi: string;
  if (s >= 0) {
    v = `lo[${s}]`;
    vHi = `hi[${s}]`;
  } else if (ins.opKind[1] === OpKind.Immediate) {
    v = int(ins.immLo);
    vHi = int(ins.immHi);
  } else return undefined;
  return store(ins, size, v, vHi, direct);
}

/** lea with 64-bit addressing into a 32- or 64-bit register (`Cpu.lea`). */
function lea(ins: Instruction): string | undefined {
  if (ins.mnemonic !== M.Lea || ins.addressSize !== 8) return undefined;
  const d = gpr(ins, 0);
  if (d < 0) return undefined;
  const wide = ins.opSize[0] === 8;
  if (ins.memBase === Register.RIP) {
    const v = ins.ip + ins.length + ins.memDisp;
    return `lo[${d}] = ${int(v)}; hi[${d}] = ${wide ? int(Math.floor(v / TWO32)) : '0'};`;
  }
  const sums = addressSums(ins);
  if (sums === undefined) return undefined;
  const [loSum, hiSum] = sums;
  if (!wide) return `lo[${d}] = (${loSum}) | 0; hi[${d}] = 0;`;
  return `{ const s = ${loSum}; const l = s >>> 0; lo[${d}] = l | 0; hi[${d}] = (${hiSum} + (s - l) / ${TWO32}) | 0; }`;
}

/** rol/ror of a 32-bit register by an immediate (`shift.ts`): only CF and OF change. */
function rotate(ins: Instruction): string | undefined {
  const left = ins.mnemonic === M.Rol;
  if ((!left && ins.mnemonic !== M.Ror) || ins.opCount !== 2 || ins.opKind[1] !== OpKind.Immediate) return undefined;
  const d = gpr(ins, 0);
  if (d < 0 || ins.opSize[0] !== 4) return undefined;
  const n = ins.immLo & 31;
  if (n === 0) return '';
  const r = left ? `(x << ${n}) | (x >>> ${32 - n})` : `(x >>> ${n}) | (x << ${32 - n})`;
  const flags = left ? 'const cf = r & 1; const of = ((r >>> 31) ^ cf) !== 0;' : 'const cf = r >>> 31; const of = (cf ^ ((r >>> 30) & 1)) !== 0;';
  const both = Rflags.CF | Rflags.OF;
  return (
    `{ const x = lo[${d}]; const r = ${r}; lo[${d}] = r; hi[${d}] = 0; ${flags} ` +
    `if (f.op !== ${FlagOp.Eager}) f.rotate(cf, of); ` +
    `else c.setStatusFlags((c.rflags & ~${both}) | (cf !== 0 ? ${Rflags.CF} : 0) | (of ? ${Rflags.OF} : 0)); }`
  );
}

/**
 * shl/shr/sar of a 32- or 64-bit register by an immediate (`shift.ts`): the result, then
 * SF/ZF/PF from it, CF the last bit shifted out, OF by the count-1 rule, AF cleared — the
 * flags are made eager, as the handler does.
 */
function shift(ins: Instruction): string | undefined {
  const m = ins.mnemonic;
  if ((m !== M.Shl && m !== M.Shr && m !== M.Sar) || ins.opCount !== 2 || ins.opKind[1] !== OpKind.Immediate) return undefined;
  const d = gpr(ins, 0);
  const size = ins.opSize[0]!;
  if (d < 0) return undefined;
  const n = ins.immLo & (size === 8 ? 63 : 31);
  if (n === 0) return '';
  let r: string;
  let rHi = '0';
  let cf: string;
  let of: string;
  if (size === 4) {
    if (m === M.Shl) {
      r = `x << ${n}`;
      cf = `(x >>> ${32 - n}) & 1`;
    } else if (m === M.Shr) {
      r = `(x >>> ${n}) | 0`;
      cf = `(x >>> ${n - 1}) & 1`;
    } else {
      r = `x >> ${n}`;
      cf = `(x >> ${n - 1}) & 1`;
    }
    of = m === M.Shl ? '((r >>> 31) ^ cf) !== 0' : m === M.Shr && n === 1 ? '(x >>> 31) !== 0' : 'false';
  } else {
    if (m === M.Shl) {
      if (n < 32) {
        r = `x << ${n}`;
        rHi = `(xh << ${n}) | (x >>> ${32 - n})`;
      } else {
        r = '0';
        rHi = `x << ${n - 32}`;
      }
      const b = 64 - n;
      cf = b < 32 ? `(x >>> ${b}) & 1` : `(xh >>> ${b - 32}) & 1`;
    } else {
      if (n < 32) {
        r = `(x >>> ${n}) | (xh << ${32 - n})`;
        rHi = m === M.Shr ? `xh >>> ${n}` : `xh >> ${n}`;
      } else {
        r = m === M.Shr ? `xh >>> ${n - 32}` : `xh >> ${n - 32}`;
        rHi = m === M.Shr ? '0' : 'xh >> 31';
      }
      const b = n - 1;
      cf = b < 32 ? `(x >>> ${b}) & 1` : `(xh >>> ${b - 32}) & 1`;
    }
    of = m === M.Shl ? '((rHi >>> 31) ^ cf) !== 0' : m === M.Shr && n === 1 ? '(xh >>> 31) !== 0' : 'false';
  }
  const cleared = Rflags.CF | Rflags.OF | Rflags.AF;
  return (
    `{ const x = lo[${d}]${size === 8 ? `, xh = hi[${d}]` : ''}; const r = ${r}, rHi = ${rHi}; const cf = ${cf}; const of = ${of}; ` +
    `lo[${d}] = r; hi[${d}] = rHi; f.set(${FlagOp.Logic}, ${size}, 0, 0, 0, 0, r, rHi); ` +
    `c.setStatusFlags((f.status() & ~${cleared}) | (cf !== 0 ? ${Rflags.CF} : 0) | (of ? ${Rflags.OF} : 0)); }`
  );
}

/**
 * 64-bit push of a register, an immediate or memory, and pop into a register (`data.ts`
 * through `Cpu.push64`/`Cpu.pop64`: the value is read before RSP moves).
 */
function stack(ins: Instruction, direct: boolean): string | undefined {
  if (ins.operandSize !== 8 || ins.opSize[0] !== 8) return undefined;
  const r = gpr(ins, 0);
  if (ins.mnemonic === M.Push) {
    if (r >= 0) return push(`lo[${r}]`, `hi[${r}]`, direct);
    if (ins.opKind[0] === OpKind.Immediate) return push(int(ins.immLo), int(ins.immHi), direct);
    const read = ins.opKind[0] === OpKind.Memory ? loadInto(ins, 8, 'v', 'vHi', direct) : undefined;
    return read === undefined ? undefined : `{ ${read} ${push('v', 'vHi', direct)} }`;
  }
  if (r < 0) return undefined;
  // `pop %rsp` loads RSP with the value read, after the increment
  return `{ ${pop('v', 'vHi', direct)} hi[${r}] = vHi; lo[${r}] = v; }`;
}

/**
 * Straight-line code for `ins`, or undefined when the block must call its handler. With
 * `direct`, memory accesses look the MMU's TLB up in the emitted code (`Mmu.tlb`).
 */
export function emitStraight(ins: Instruction, direct: boolean): string | undefined {
  switch (ins.mnemonic) {
    case M.Mov:
      return mov(ins, direct);
    case M.Lea:
      return lea(ins);
    case M.Rol:
    case M.Ror:
      return rotate(ins);
    case M.Shl:
    case M.Shr:
    case M.Sar:
      return shift(ins);
    case M.Push:
    case M.Pop:
      return stack(ins, direct);
    case M.Movzx:
      return movzx(ins, direct);
    default:
      return ins.opSize[0] === 1 ? byteCompare(ins, direct) : alu(ins, direct);
  }
}

/** The lazy-flags record an inline instruction leaves, as far as the translator knows it. */
export type FlagsKnown = { op: FlagOp; size: number } | 'unchanged' | 'unknown';

/** What `ins`, emitted inline by `emitStraight`, does to the flags. */
export function flagsAfter(ins: Instruction): FlagsKnown {
  switch (ins.mnemonic) {
    case M.Mov:
    case M.Lea:
    case M.Push:
    case M.Pop:
    case M.Movzx:
      return 'unchanged';
    default: {
      const op = ALU.get(ins.mnemonic);
      return op === undefined ? 'unknown' : { op, size: ins.opSize[0]! };
    }
  }
}

/**
 * Condition `cc` straight from the lazy-flags fields, when the instruction before set them
 * with a known operation and size (cmp/test/sub/and/... then Jcc, the commonest pair):
 * the same answer as `Cpu.condition`, without its dispatch on the operation. Undefined
 * for the pairs this does not cover (OF, PF, carries of add).
 */
export function fusedCondition(flags: FlagsKnown, cc: number): string | undefined {
  if (typeof flags === 'string') return undefined;
  const { op, size } = flags;
  if (size !== 1 && size !== 4 && size !== 8) return undefined;
  const zf = size === 8 ? '(f.res | f.resHi) === 0' : 'f.res === 0';
  const sf = size === 8 ? 'f.resHi < 0' : size === 4 ? 'f.res < 0' : '(f.res & 128) !== 0';
  let below: string;
  let less: string;
  if (op === FlagOp.Sub) {
    below =
      size === 8 ? '((f.aHi >>> 0) < (f.bHi >>> 0) || (f.aHi === f.bHi && (f.a >>> 0) < (f.b >>> 0)))' : '(f.a >>> 0) < (f.b >>> 0)';
    less =
      size === 8
        ? '(f.aHi < f.bHi || (f.aHi === f.bHi && (f.a >>> 0) < (f.b >>> 0)))'
        : size === 4
          ? 'f.a < f.b'
          : '((f.a << 24) >> 24) < ((f.b << 24) >> 24)';
  } else if (op === FlagOp.Logic) {
    // CF = OF = 0: below never holds, and "less" (SF != OF) is SF
    below = 'false';
    less = sf;
  } else if (op === FlagOp.Add) {
    if (cc !== 4 && cc !== 5 && cc !== 8 && cc !== 9) return undefined;
    below = '';
    less = '';
  } else return undefined;
  // The low bit of a condition code negates it (SDM Vol. 1, Appendix B): cc 5 is not-cc 4.
  let holds: string;
  switch (cc & ~1) {
    case 2:
      holds = below;
      break;
    case 4:
      holds = zf;
      break;
    case 6:
      holds = `(${below}) || ${zf}`;
      break;
    case 8:
      holds = sf;
      break;
    case 12:
      holds = less;
      break;
    case 14:
      holds = `(${less}) || ${zf}`;
      break;
    default:
      return undefined;
  }
  return (cc & 1) === 0 ? holds : `!(${holds})`;
}

/** Jcc's condition code, or -1 for other mnemonics. */
export function jccCondition(ins: Instruction): number {
  return JCC_CONDITION.get(ins.mnemonic) ?? -1;
}

/** The test of condition `cc` given what is known of the flags. */
export function conditionCode(flags: FlagsKnown, cc: number): string {
  return fusedCondition(flags, cc) ?? `c.condition(${cc})`;
}

/** Code that sets `c.rip` for a direct branch, call or plain return, or undefined. */
export function emitBranch(ins: Instruction, flags: FlagsKnown, direct: boolean): string | undefined {
  const next = num(ins.ip + ins.length);
  const target = num(ins.branchTarget);
  const cc = JCC_CONDITION.get(ins.mnemonic);
  if (cc !== undefined) return `c.rip = (${conditionCode(flags, cc)}) ? ${target} : ${next};`;
  const near = ins.opKind[0] === OpKind.NearBranch;
  if (ins.mnemonic === M.Jmp && near) return `c.rip = ${target};`;
  if (ins.mnemonic === M.Call && near) {
    const ret = ins.ip + ins.length;
    return `${push(int(ret), int(Math.floor(ret / TWO32)), direct)} c.rip = ${target};`;
  }
  if (ins.mnemonic === M.Ret && ins.opCount === 0) return `{ ${pop('v', 'vHi', direct)} c.rip = vHi * ${TWO32} + (v >>> 0); }`;
  return undefined;
}
