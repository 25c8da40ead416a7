import { type Instruction, MNEMONIC_NAMES, Mnemonic as M, OpKind } from '@legosim/x86';
import type { Cpu, Handler } from '../cpu.js';
import { isSystemReg } from '../semantics/data.js';
import { BlockRole, blockRoles, handlers } from '../semantics/index.js';
import { conditionCode, EA_HELPER, emitBranch, emitStraight, type FlagsKnown, flagsAfter, jccCondition } from './emit.js';

/**
 * Translation blocks: straight runs of guest instructions compiled to one JavaScript
 * function, the way QEMU's TCG turns guest code into host code, with V8 as the back end.
 *
 * A block starts where execution has arrived often enough, holds instructions of one
 * physical page only, and ends after the first branch (or before the first instruction
 * only the interpreter may run: everything touching CPL, IF, paging, MSRs, time or native
 * kernel functions, and REP string operations). Common operand forms are compiled inline
 * (`emit.ts`); every other instruction is a direct call of its handler, a call site that
 * only ever sees that handler, which V8 can inline.
 *
 * What stays exactly as in the interpreter:
 *  - the CPU enters a block only when all of it fits in the instruction budget, so an
 *    interrupt or the end of a slice falls between the same two instructions as before;
 *  - a fault inside a block leaves the instructions before it retired and RIP at the
 *    faulting one (`Cpu.run` counts them from `instructionIp`, which the block keeps);
 *  - a store into the block's own page ends the block after that instruction, so code the
 *    block has just written is decoded afresh before it runs.
 */
export interface TranslationBlock {
  /** Guest address of the first instruction. */
  readonly ip: number;
  /** Number of guest instructions. */
  readonly count: number;
  /** Address of each instruction in order (to count the retired ones when one faults). */
  readonly ips: readonly number[];
  /**
   * Runs the block: sets RIP to where execution continues and returns the number of
   * instructions retired (`count`, or fewer when a store into the page ended it early).
   * The caller adds them to `instret`; a faulting instruction throws as in its handler.
   */
  readonly run: (cpu: Cpu) => number;
  /** The JavaScript it was compiled from (for reading and debugging). */
  readonly source: string;
}

/** What `new Function` makes of a block's source: given its handlers and records, the block. */
type BlockFactory = (calls: readonly Handler[], records: readonly Instruction[]) => (cpu: Cpu) => number;

/**
 * Compiled blocks by source text, shared by every CPU and machine in the process: the same
 * code translated again (another run of the program, another CPU, a page decoded afresh
 * with the same bytes) gets the same function, so V8's type feedback and optimised code
 * carry over instead of warming up again. The source holds everything the block depends on
 * except the handlers and decoded records, which each translation passes in.
 */
const factories = new Map<string, BlockFactory>();

/** Bound on `factories`: a program that keeps generating code must not grow it forever. */
const MAX_FACTORIES = 16384;

/** Longest block, in instructions: a bound on compile time and on a block's budget needs. */
const MAX_BLOCK_INSTRUCTIONS = 64;

/** CS, SS, DS, ... and the control and debug registers: moving them is a system operation. */
function touchesSystemRegister(ins: Instruction): boolean {
  for (let k = 0; k < ins.opCount; k++) if (isSystemReg(ins, k)) return true;
  return false;
}

/** Whether the instruction has a memory operand (explicit, or a string operation's). */
function hasMemoryOperand(ins: Instruction): boolean {
  for (let k = 0; k < ins.opCount; k++) {
    const kind = ins.opKind[k];
    if (kind === OpKind.Memory || kind === OpKind.MemorySegRsi || kind === OpKind.MemoryEsRdi) return true;
  }
  return false;
}

/** The role `ins` can play in a block: Interpret when the interpreter must run it. */
function roleOf(ins: Instruction): BlockRole {
  const role = blockRoles[ins.mnemonic] as BlockRole;
  if (role !== BlockRole.Interpret && touchesSystemRegister(ins)) return BlockRole.Interpret;
  return role;
}

/**
 * Builds the block starting at `first` (whose decoded successors `next` supplies, or
 * undefined past the page or an undecodable byte). Returns null when the first
 * instruction must be interpreted. With `directTlb` (the MMU offers `Mmu.tlb`), the
 * block's byte accesses and aligned 4- and 8-byte ones look the TLB up in the block's own code.
 */
export function translateBlock(
  first: Instruction,
  next: (ip: number) => Instruction | undefined,
  pfn: number,
  version: number,
  directTlb = false,
): TranslationBlock | null {
  const body: string[] = [];
  const calls: Handler[] = [];
  const records: Instruction[] = [];
  const ips: number[] = [];
  let ins: Instruction | undefined = first;
  let after = first.ip;
  let ended = false;
  // What the lazy flags hold at this point of the block, for fusing a Jcc with its cmp.
  let flags: FlagsKnown = 'unknown';
  // Whether a branch goes back to the block's start: the block then loops in itself.
  let loops = false;
  while (ins !== undefined && ips.length < MAX_BLOCK_INSTRUCTIONS) {
    const role = roleOf(ins);
    if (role === BlockRole.Interpret) break;
    const k = ips.length;
    ips.push(ins.ip);
    after = ins.ip + ins.length;
    const cc = jccCondition(ins);
    if (cc >= 0 && ips.length < MAX_BLOCK_INSTRUCTIONS) {
      // A conditional branch leaves the block when taken and falls through into the rest
      // of it otherwise, so straight-line code split by rarely taken branches (the
      // kernel's SYSRET checks) runs as one block.
      const taken = ins.branchTarget === first.ip ? loopBack(k + 1) : '';
      loops ||= taken !== '';
      body.push(`if (${conditionCode(flags, cc)}) { ${taken}${exit(String(ins.branchTarget), k + 1)} }`);
      ins = next(after);
      continue;
    }
    if (role === BlockRole.Branch) {
      // A call's push and a ret's pop can fault: the fault path needs the address. Handlers
      // of branches read RIP as the next instruction's address, as in the interpreter.
      const inline = emitBranch(ins, flags, directTlb);
      const back = ins.mnemonic === M.Jmp && ins.opKind[0] === OpKind.NearBranch && ins.branchTarget === first.ip;
      if (back) loops = true;
      body.push(
        `c.instructionIp = ${ins.ip};`,
        back ? loopBack(k + 1) : '',
        inline ?? `c.rip = ${after}; ${callThrough(calls, records, ins)}`,
      );
      ended = true;
      break;
    }
    const inline = emitStraight(ins, directTlb);
    if (inline === undefined) flags = 'unknown';
    else {
      const effect = flagsAfter(ins);
      if (effect !== 'unchanged') flags = effect;
    }
    const memory = hasMemoryOperand(ins);
    const stack = ins.mnemonic === M.Push || ins.mnemonic === M.Pop;
    // The instruction's address for the fault path; inline register-only code cannot fault.
    if (inline === undefined || memory || stack) body.push(`c.instructionIp = ${ins.ip};`);
    body.push(inline ?? callThrough(calls, records, ins));
    if (memory || ins.mnemonic === M.Push) {
      body.push(`if (pv[${pfn}] !== ${version}) ${exit(String(after), k + 1)}`);
    }
    ins = next(after);
  }
  const count = ips.length;
  if (count === 0) return null;
  // a branch has set c.rip itself
  body.push(exit(ended ? 'c.rip' : String(after), count));
  const text = body.join('\n').replaceAll(BLOCK_COUNT, String(count));
  const name = `block_${(Math.floor(first.ip / 2 ** 32) >>> 0).toString(16)}${(first.ip >>> 0).toString(16).padStart(8, '0')}`;
  const source = [
    '"use strict";',
    EA_HELPER,
    ...calls.map((_, i) => `const H${i} = H[${i}], I${i} = I[${i}];`),
    `return function ${name}(c) {`,
    'const lo = c.lo, hi = c.hi, f = c.flags, pv = c.mmu.pageVersions;',
    ...(text.includes('tlbWords') ? [TLB_CONSTANTS] : []),
    'let xr = 0, xk = 0;',
    ...(loops ? ['let n = 0;', 'out: for (;;) {', text, '}'] : ['out: {', text, '}']),
    // the one way out; in a looping block it adds the instructions of the passes before
    `c.rip = xr; return ${loops ? 'n + xk' : 'xk'};`,
    '};',
  ].join('\n');
  let factory = factories.get(source);
  if (factory === undefined) {
    if (factories.size >= MAX_FACTORIES) factories.clear();
    factory = new Function('H', 'I', source) as BlockFactory;
    factories.set(source, factory);
  }
  const run = factory(calls, records);
  return { ip: first.ip, count, ips, run, source };
}

/**
 * A way out of the block: RIP `rip` after `k` of its instructions. Every exit only sets two
 * locals and leaves for the one tail that stores RIP and returns, so the exits a block seldom
 * takes (a branch out of a loop, a store to its own code page, a timer tick ending a loop)
 * hold no property store or arithmetic of their own. In V8's optimised code such an operation,
 * never run before, is a deoptimisation point: the first time a hot block left another way,
 * V8 threw its optimised code away and compiled it again (sha256sum's hottest block did so four
 * or five times at HZ=1000, two now). The tail runs on every call, so V8 has seen it.
 */
function exit(rip: string, k: number): string {
  return `{ xr = ${rip}; xk = ${k}; break out; }`;
}
/** Where the loop-back test gets the block's length, known only at the end. */
const BLOCK_COUNT = '\u0002';

/**
 * The taken branch back to the block's start, `k` instructions into it: when the CPU's
 * run loop would enter the block again right away — no interrupt it would take first
 * (`Cpu.takesInterrupt`, the run loop's own test) and all of
 * the block within the budget — the block starts its next pass itself, as a JavaScript
 * loop, with `n` the instructions retired so far (and `Cpu.blockRetired` for the fault
 * path); otherwise it leaves as any branch does.
 */
function loopBack(k: number): string {
  return (
    `{ const done = n + ${k}; const at = c.instret + done; ` +
    `if (at + ${BLOCK_COUNT} <= c.sliceEnd && !c.takesInterrupt(at)) ` +
    `{ n = done; c.blockRetired = done; continue; } } `
  );
}

/** The MMU's TLB arrays, for blocks whose memory accesses look it up inline (`emit.ts`). */
const TLB_CONSTANTS =
  'const m = c.mmu, tlb = m.tlb, tlbTag = tlb.tag, tlbOk = tlb.ok, tlbWords = tlb.words, tlbPfn = tlb.pfn, tlbMask = tlb.mask;';

/** A direct call of the instruction's own handler (a constant call target inside the block). */
function callThrough(calls: Handler[], records: Instruction[], ins: Instruction): string {
  const i = calls.length;
  calls.push(handlers[ins.mnemonic]!);
  records.push(ins);
  return `H${i}(c, I${i}); // ${MNEMONIC_NAMES[ins.mnemonic]} ${describe(ins)}`;
}

const KIND_NAMES = ['', 'r', 'm', 'imm', 'imm', 'rel', 'm', 'm'];

/** Operand kinds and sizes, for the comment beside a handler call in the generated source. */
function describe(ins: Instruction): string {
  const parts: string[] = [];
  for (let k = 0; k < ins.opCount; k++) parts.push(`${KIND_NAMES[ins.opKind[k]!]}${ins.opSize[k]! * 8}`);
  return parts.join(', ');
}
