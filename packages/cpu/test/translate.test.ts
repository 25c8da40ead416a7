import { DecodeStatus, Decoder, Instruction } from '@legosim/x86';
import { assemble } from '@legosim/x86/asm';
import { describe, expect, test } from 'vitest';
import { Cpu, FlagOp, Rflags, StopReason } from '../src/index.js';
import { translateBlock } from '../src/translate/block.js';
import { fusedCondition } from '../src/translate/emit.js';
import { FlatMemory } from './flat-memory.js';

/** A deterministic pseudo-random generator (xorshift32), so a failure names a reproducible seed. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

const EDGES = [0, 1, -1, 0x7fffffff, -0x80000000, 0x80, 0x7f, 0xff, 2, -2];

describe('a Jcc fused with the cmp/test/sub before it', () => {
  // The oracle is the interpreter's `Cpu.condition` on the same lazy-flags record.
  const cpu = new Cpu({ id: 0, mmu: new FlatMemory(0x1000), decoder: new Decoder() });
  const next = rng(7);
  const value = (): number => (next() & 3) === 0 ? EDGES[next() % EDGES.length]! : next() | 0;
  for (const op of [FlagOp.Sub, FlagOp.Logic, FlagOp.Add]) {
    for (const size of [1, 4, 8]) {
      const name = op === FlagOp.Sub ? 'sub/cmp' : op === FlagOp.Logic ? 'and/or/xor/test' : 'add';
      test(`${name} of size ${size}: every covered condition agrees with Cpu.condition`, () => {
        let covered = 0;
        for (let cc = 0; cc < 16; cc++) {
          const expr = fusedCondition({ op, size }, cc);
          if (expr === undefined) continue;
          covered++;
          const fused = new Function('f', `return ${expr};`) as (f: unknown) => boolean;
          for (let i = 0; i < 400; i++) {
            let a = value();
            let b = i % 7 === 0 ? a : value();
            let aHi = size === 8 ? value() : 0;
            let bHi = size === 8 ? (i % 5 === 0 ? aHi : value()) : 0;
            if (size === 1) {
              a &= 0xff;
              b &= 0xff;
            }
            let r: number;
            let rHi = 0;
            if (op === FlagOp.Sub) {
              r = size === 1 ? (a - b) & 0xff : (a - b) | 0;
              if (size === 8) rHi = (aHi - bHi - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
            } else if (op === FlagOp.Add) {
              r = size === 1 ? (a + b) & 0xff : (a + b) | 0;
              if (size === 8) rHi = (aHi + bHi + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            } else {
              r = a & b;
              if (size === 8) rHi = aHi & bHi;
            }
            if (size !== 8) {
              aHi = 0;
              bHi = 0;
            }
            cpu.flags.set(op, size, a, aHi, b, bHi, r, rHi);
            expect(fused(cpu.flags), `cc ${cc}, a ${a} ${aHi}, b ${b} ${bHi}`).toBe(cpu.condition(cc));
          }
        }
        expect(covered).toBeGreaterThanOrEqual(op === FlagOp.Add ? 4 : 12);
      });
    }
  }
});

/**
 * Random straight-line code over the forms the translator compiles inline (and some it
 * hands to their handlers), with conditional branches, in a loop hot enough to be
 * translated: registers, flags, memory and counts must come out as in the interpreter.
 */
function randomProgram(seed: number): string {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
  // rcx counts the loop, rbp points at data, rsp at the stack, r15 accumulates flags
  const r64 = ['rax', 'rbx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14'];
  const r32 = ['eax', 'ebx', 'edx', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d'];
  // the legacy high bytes cannot appear with a REX prefix: one set or the other per instruction
  const r8legacy = ['al', 'bl', 'dl', 'ah', 'bh', 'ch'];
  const r8 = ['al', 'bl', 'dl', 'sil', 'dil', 'r8b', 'r9b'];
  const alu = ['add', 'sub', 'and', 'or', 'xor', 'cmp', 'test'];
  const imm = (): string => `$${pick(['0', '1', '-1', '0x7f', '-128', '0x7fffffff', '-0x80000000', String(next() | 0)])}`;
  const mem = (): string => `${(next() % 32) * 4}(%rbp)`;
  const mem8 = (): string => `${(next() % 32) * 8}(%rbp)`;
  const prologue = ['mov $200, %ecx', 'mov $0x5000, %ebp', 'mov $0x7000, %rsp', '1:'];
  let label = 10;
  const body: string[] = [];
  for (let i = 0; i < 60; i++) {
    const lines: string[] = [];
    switch (next() % 17) {
      case 0:
        lines.push(`${pick(alu)}q %${pick(r64)}, %${pick(r64)}`);
        break;
      case 1:
        lines.push(`${pick(alu)}l %${pick(r32)}, %${pick(r32)}`);
        break;
      case 2:
        lines.push(`${pick(alu.filter((m) => m !== 'test'))}q ${imm()}, %${pick(r64)}`);
        break;
      case 3:
        lines.push(`${pick(alu)}l ${imm()}, %${pick(r32)}`);
        break;
      case 4:
        lines.push(`${pick(alu.filter((m) => m !== 'test'))}l ${mem()}, %${pick(r32)}`);
        break;
      case 5:
        lines.push(`${pick(alu.filter((m) => m !== 'test'))}q %${pick(r64)}, ${mem8()}`);
        break;
      case 6:
        lines.push(`movq %${pick(r64)}, ${mem8()}`, `movl ${mem()}, %${pick(r32)}`);
        break;
      case 7:
        lines.push(`lea ${(next() % 64) - 32}(%${pick(r64)},%${pick(r64)},${pick([1, 2, 4, 8])}), %${pick([...r64, ...r32])}`);
        break;
      case 8:
        lines.push(`${pick(['rol', 'ror'])}l $${next() % 32}, %${pick(r32)}`);
        break;
      case 9:
        lines.push(`push %${pick(r64)}`, `pop %${pick(r64)}`);
        break;
      case 10:
      {
        const set = next() & 1 ? r8 : r8legacy;
        lines.push(`${pick(['cmp', 'test'])}b ${pick([`%${pick(set)}`, `$${next() & 0xff}`])}, %${pick(set)}`);
      }
        break;
      case 11:
        lines.push(`movzbl %${pick(r8)}, %${pick(r32)}`, `movzwl ${mem()}, %${pick(r32)}`);
        break;
      case 12:
        lines.push(`${pick(['shl', 'sar', 'shr'])}q $${next() % 70}, %${pick(r64)}`);
        lines.push(`${pick(['shl', 'sar', 'shr'])}l $${next() % 40}, %${pick(r32)}`, `${pick(['shl', 'sar', 'shr'])}l %${pick(r32)}`);
        // left to its handler inside the block
        lines.push(`imul $${next() | 0}, %${pick(r64)}, %${pick(r64)}`);
        break;
      case 13:
        lines.push(`movabs $${next() * 4096 + (next() & 0xfff)}, %${pick(r64)}`);
        break;
      case 14: {
        // bytes at any offset, so every lane of a word is read and written
        const set = next() & 1 ? r8 : r8legacy;
        // not %ch: %rcx counts the loop
        const into = set.filter((r) => r !== 'ch');
        const memb = (): string => `${next() % 256}(%rbp)`;
        lines.push(
          `movb %${pick(set)}, ${memb()}`,
          `movb ${memb()}, %${pick(into)}`,
          `movb $${next() & 0xff}, ${memb()}`,
          `movb %${pick(set)}, %${pick(into)}`,
          `movb $${next() & 0xff}, %${pick(into)}`,
          `cmpb $${next() & 0xff}, ${memb()}`,
          `movzbl ${memb()}, %${pick(r32)}`,
        );
        break;
      }
      default: {
        const cc = pick(['e', 'ne', 'b', 'ae', 'be', 'a', 'l', 'ge', 'le', 'g', 's', 'ns', 'o', 'p']);
        lines.push(`j${cc} ${label}f`, `inc %${pick(r64)}`, `${label}:`);
        label++;
      }
    }
    // now and then fold RFLAGS into r15 right after an instruction, so its flags are observed
    for (const line of lines) {
      body.push(line);
      if (!line.endsWith(':') && next() % 3 === 0) body.push('pushfq', 'xorq (%rsp), %r15', 'addq $8, %rsp');
    }
  }
  return [...prologue, ...body, 'dec %ecx', 'jnz 1b', 'hlt'].join('\n');
}

/** Runs `source` in the interpreter, in blocks that call the MMU, and in blocks that read its TLB. */
function runBothWays(source: string): void {
  const outcome = (translate: boolean, directTlb = false) => {
    const mem = new FlatMemory(0x10000, 0x10000, directTlb);
    const cpu = new Cpu({ id: 0, mmu: mem, decoder: new Decoder(), translate });
    mem.bytes.set(assemble(source, { origin: 0x1000 }).bytes, 0x1000);
    for (let i = 0; i < 0x100; i++) mem.bytes[0x5000 + i] = (i * 37) & 0xff;
    cpu.rip = 0x1000;
    const stop = cpu.run(1_000_000);
    return {
      stop,
      rip: cpu.rip,
      instret: cpu.instret,
      regs: [...cpu.lo, ...cpu.hi],
      flags: cpu.getRflags(),
      memory: [...mem.bytes.subarray(0x5000, 0x5100), ...mem.bytes.subarray(0x6f00, 0x7000)],
      translated: cpu.blockInstret,
    };
  };
  const interpreter = outcome(false);
  expect(interpreter.translated).toBe(0);
  const { translated: _b, ...i } = interpreter;
  for (const directTlb of [false, true]) {
    const blocks = outcome(true, directTlb);
    expect(blocks.stop).toBe(StopReason.Halted);
    expect(blocks.translated).toBeGreaterThan(blocks.instret / 2);
    const { translated: _a, ...b } = blocks;
    expect(b).toEqual(i);
  }
}

describe('translated blocks against the interpreter', () => {
  for (let seed = 1; seed <= 100; seed++) {
    test(`random program ${seed}`, () => runBothWays(randomProgram(seed)));
  }

  test('a budget that ends inside a loop stops at the same instruction', () => {
    const source = randomProgram(99);
    for (const budget of [1, 17, 1000, 12345]) {
      const state = (translate: boolean) => {
        const mem = new FlatMemory(0x10000);
        const cpu = new Cpu({ id: 0, mmu: mem, decoder: new Decoder(), translate });
        mem.bytes.set(assemble(source, { origin: 0x1000 }).bytes, 0x1000);
        cpu.rip = 0x1000;
        cpu.run(budget);
        cpu.run(budget);
        return { rip: cpu.rip, instret: cpu.instret, regs: [...cpu.lo, ...cpu.hi], flags: cpu.getRflags() & Rflags.Status };
      };
      expect(state(true)).toEqual(state(false));
    }
  });
});

/**
 * Runs user code at 0x6000 (CPL 3) on flat memory whose upper half (from 0x8000) is
 * supervisor-only; the #PF handler (CPL 0, at 0x8000) halts. `registers` sets GPRs first.
 * Returns what a fault must leave exactly as the interpreter leaves it.
 */
function runUserUntilFault(source: string, registers: [number, number][], translate: boolean, directTlb: boolean) {
  const IDT = 0x9000;
  const TSS = 0xa000;
  const mem = new FlatMemory(0x10000, 0x8000, directTlb);
  const cpu = new Cpu({ id: 0, mmu: mem, decoder: new Decoder(), translate });
  mem.bytes.set(assemble(source, { origin: 0x6000 }).bytes, 0x6000);
  mem.bytes.set(assemble('hlt', { origin: 0x8000 }).bytes, 0x8000);
  const v = new DataView(mem.bytes.buffer);
  v.setUint32(IDT + 14 * 16, (0x10 << 16) | 0x8000, true);
  v.setUint32(IDT + 14 * 16 + 4, 0x8e00, true);
  v.setUint32(TSS + 4, 0xf000, true);
  cpu.idtBase = IDT;
  cpu.idtLimit = 0xfff;
  cpu.trBase = TSS;
  cpu.rip = 0x6000;
  cpu.sreg[1] = 0x33;
  cpu.setCpl(3);
  for (const [r, value] of registers) cpu.setGpr(r, value);
  const stop = cpu.run(1_000_000);
  // the #PF frame: error code at RSP, the faulting instruction's address above it
  return { stop, rip: cpu.rip, instret: cpu.instret, user: cpu.userInstret, regs: [...cpu.lo, ...cpu.hi], cr2: cpu.cr2, returnIp: cpu.read64n(cpu.gpr(4) + 8), translated: cpu.blockInstret };
}

describe('a fault inside a translated block', () => {
  // User code at 0x6000 calls down a stack (from 0x3ff8) that runs off the bottom of memory;
  // the #PF handler (CPL 0, at 0x8000) halts. Every instruction before the faulting
  // push must have retired exactly once, and RIP must point at the call.
  const source = ['1:', 'add $1, %rbx', 'add $3, %rdx', 'lea 8(%rdx), %rsi', 'sub $0x38, %rsp', 'call 2f', 'jmp 1b', '2:', 'add $1, %r12', 'ret'].join('\n');
  const outcome = (translate: boolean, directTlb = false) => runUserUntilFault(source, [[4, 0x3ff8]], translate, directTlb);
  test('retires the instructions before it once, and returns to the faulting instruction', () => {
    const { translated: none, ...interpreter } = outcome(false);
    expect(none).toBe(0);
    for (const directTlb of [false, true]) {
      const { translated, ...blocks } = outcome(true, directTlb);
      expect(translated).toBeGreaterThan(blocks.instret / 2);
      expect(blocks.stop).toBe(StopReason.Halted);
      expect(blocks.cr2).toBeLessThan(0);
      expect(blocks.returnIp).toBe(0x6000 + 16); // the call, after four 4-byte instructions
      expect(blocks).toEqual(interpreter);
    }
  });
});

describe('a block that loops on itself', () => {
  // The sieve's inner loop: a store, an add, a compare and the branch back to the start.
  const LOOP = ['mov $0x5000, %ebx', 'mov $0x5f00, %edx', '1:', 'movb %cl, (%rbx)', 'add $3, %rbx', 'add %ebx, %eax', 'cmp %rdx, %rbx', 'jb 1b', 'hlt'].join('\n');

  test('is compiled as a JavaScript loop around its passes', () => {
    const code = assemble(LOOP, { origin: 0x1000 }).bytes;
    const decoder = new Decoder();
    const at = (ip: number): Instruction | undefined => {
      const ins = new Instruction();
      return decoder.decode(code, ip - 0x1000, code.length - (ip - 0x1000), ip, ins) === DecodeStatus.Ok ? ins : undefined;
    };
    const start = 0x1000 + 10; // after the two 5-byte movs
    const tb = translateBlock(at(start)!, at, 1, 0, true)!;
    expect(tb.count).toBe(5);
    expect(tb.source).toContain('for (;;) {');
    expect(tb.source).toContain('continue;');
    // every exit leaves through the one tail, which stores RIP and returns
    const fn = tb.source.slice(tb.source.indexOf('return function') + 'return '.length);
    expect(fn.match(/return /g)).toHaveLength(1);
    expect(fn.match(/c\.rip = /g)).toHaveLength(1);
  });

  test('stops at the budget and at every split of it exactly where the interpreter stops', () => {
    for (const budget of [1, 5, 64, 99, 1000, 2047]) {
      const state = (translate: boolean) => {
        const mem = new FlatMemory(0x10000, 0x10000, true);
        const cpu = new Cpu({ id: 0, mmu: mem, decoder: new Decoder(), translate });
        mem.bytes.set(assemble(LOOP, { origin: 0x1000 }).bytes, 0x1000);
        cpu.rip = 0x1000;
        const stops: number[] = [];
        for (let i = 0; i < 4; i++) stops.push(cpu.run(budget), cpu.rip, cpu.instret);
        return { stops, regs: [...cpu.lo, ...cpu.hi], memory: [...mem.bytes.subarray(0x5000, 0x5f10)] };
      };
      expect(state(true), `budget ${budget}`).toEqual(state(false));
    }
  });

  test('a fault in a later pass retires the passes before it', () => {
    // User code stores down into the supervisor-only half: #PF in the 513th pass, whose handler halts.
    const source = ['1:', 'movq %rax, (%rbx)', 'add $8, %rbx', 'inc %eax', 'jmp 1b'].join('\n');
    const outcome = (translate: boolean) => runUserUntilFault(source, [[3, 0x7000], [4, 0x7ff0]], translate, true);
    const { translated: none, ...interpreter } = outcome(false);
    expect(none).toBe(0);
    expect(interpreter.cr2).toBe(0x8000);
    expect(interpreter.regs[0]).toBe(512); // 512 passes done
    expect(interpreter.returnIp).toBe(0x6000);
    const { translated, ...blocks } = outcome(true);
    expect(translated).toBeGreaterThan(0);
    expect(blocks).toEqual(interpreter);
  });
});
