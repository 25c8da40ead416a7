import { readFileSync } from 'node:fs';
import { Kernel } from '@legosim/kernel';
import { DecodeStatus, Decoder, Instruction, MNEMONIC_NAMES, Prefix, readElfSections } from '@legosim/x86';
import { formatAtt } from '@legosim/x86/format';
import { describe, expect, test } from 'vitest';
import { IcedDecoder } from '../src/iced-decoder.js';
import { buildProbe, hasCompiler, type Libc } from '../src/index.js';
import { runNative } from './native.js';

/** The fields the CPU reads (packages/cpu): compared one by one. */
const SCALAR_FIELDS = [
  'length',
  'mnemonic',
  'operandSize',
  'addressSize',
  'opCount',
  'memSeg',
  'memBase',
  'memIndex',
  'memScale',
  'memDisp',
  'immLo',
  'immHi',
  'immSize',
  'imm2',
  'branchTarget',
] as const;
const CPU_PREFIXES = Prefix.Lock | Prefix.Rep | Prefix.Repne;

/**
 * Deliberate differences, by our AT&T text: iced decodes `66 90` as `nop` (Code.Nopw, no
 * operands) where we (like objdump) decode `xchg %ax,%ax`; both do nothing. iced's xbegin row
 * has operand size 32, ours the 64-bit default of a near branch (the CPU does not read it).
 */
function deliberate(ours: Instruction, field: string): boolean {
  const name = MNEMONIC_NAMES[ours.mnemonic];
  if (name === 'xchg' && ours.prefixCount === 1 && ours.prefixBytes[0] === 0x66 && ours.length === 2 && ours.opReg[0] === ours.opReg[1]) return true;
  if (name === 'xbegin' && field === 'operandSize') return true;
  return false;
}

function differences(a: Instruction, b: Instruction): string[] {
  const out: string[] = [];
  for (const f of SCALAR_FIELDS) if (a[f] !== b[f]) out.push(`${f}: ours ${a[f]}, iced ${b[f]}`);
  const n = Math.max(a.opCount, b.opCount);
  for (let k = 0; k < n; k++) {
    if (a.opKind[k] !== b.opKind[k]) out.push(`opKind[${k}]: ours ${a.opKind[k]}, iced ${b.opKind[k]}`);
    if (a.opReg[k] !== b.opReg[k]) out.push(`opReg[${k}]: ours ${a.opReg[k]}, iced ${b.opReg[k]}`);
    if (a.opSize[k] !== b.opSize[k]) out.push(`opSize[${k}]: ours ${a.opSize[k]}, iced ${b.opSize[k]}`);
  }
  if ((a.prefixes & CPU_PREFIXES) !== (b.prefixes & CPU_PREFIXES)) out.push(`prefixes: ours ${a.prefixes}, iced ${b.prefixes}`);
  return out.filter((d) => !deliberate(a, d.slice(0, d.indexOf(':'))));
}

const libcs: Libc[] = ['musl', 'glibc'];

describe('the iced-x86 adapter fills the Instruction record as our decoder does', () => {
  for (const libc of libcs) {
    test.skipIf(!hasCompiler(libc))(`every instruction of hello-${libc}'s .text decodes to the same CPU-relevant fields`, () => {
      const file = new Uint8Array(readFileSync(buildProbe('hello', libc)));
      const text = readElfSections(file).find((s) => s.name === '.text');
      if (text === undefined) throw new Error('no .text');
      const ours = new Decoder();
      const iced = new IcedDecoder();
      const a = new Instruction();
      const b = new Instruction();
      const report: string[] = [];
      let decoded = 0;
      let deliberateCount = 0;
      for (let off = 0; off < text.size; ) {
        const ip = text.addr + off;
        const sa = ours.decode(file, text.offset + off, text.size - off, ip, a);
        const sb = iced.decode(file, text.offset + off, text.size - off, ip, b);
        if (sa !== sb) {
          report.push(`${ip.toString(16)}: status ours ${sa}, iced ${sb}`);
        } else if (sa === DecodeStatus.Ok) {
          decoded++;
          const d = differences(a, b);
          if (d.length > 0 && report.length < 20) report.push(`${ip.toString(16)} ${formatAtt(a)}: ${d.join('; ')}`);
          if (deliberate(a, 'mnemonic')) deliberateCount++;
        }
        off += sa === DecodeStatus.Ok ? a.length : 1;
      }
      expect(report).toEqual([]);
      expect(decoded).toBeGreaterThan(3000);
      // the deliberate differences are few: 66 90 padding
      expect(deliberateCount).toBeLessThan(decoded / 20);
    }, 60_000);
  }

  test('RIP-relative, moffs, segment, immediate and branch conventions on a few fixed encodings', () => {
    const cases = [
      '488b0500100000', // mov 0x1000(%rip),%rax
      '64488b042528000000', // mov %fs:0x28,%rax
      '48a1efcdab8967452301', // movabs 0x123456789abcdef,%rax
      '4883c0ff', // add $-1,%rax (imm8 sign-extended to 64)
      '66050180', // add $0x8001,%ax
      'd1e0', // shl %eax (by one)
      'c8100001', // enter $0x10,$1
      'e8fbffffff', // call .
      'f348a5', // rep movsq
      'f0480fb10a', // lock cmpxchg %rcx,(%rdx)
      '67488b4408f8', // mov -8(%eax,%ecx),%rax
      'c4e27d18460c', // vbroadcastss 0xc(%rsi),%ymm0
    ];
    const ours = new Decoder();
    const iced = new IcedDecoder();
    const a = new Instruction();
    const b = new Instruction();
    for (const hex of cases) {
      const bytes = Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
      expect(ours.decode(bytes, 0, bytes.length, 0x401000, a), hex).toBe(DecodeStatus.Ok);
      expect(iced.decode(bytes, 0, bytes.length, 0x401000, b), hex).toBe(DecodeStatus.Ok);
      expect(differences(a, b), `${hex} ${formatAtt(a)}`).toEqual([]);
    }
  });

  test('truncated input is NeedMoreBytes, and a 15-byte-limit overrun is Invalid, as ours', () => {
    const iced = new IcedDecoder();
    const b = new Instruction();
    expect(iced.decode(Uint8Array.of(0x48, 0x8b), 0, 2, 0, b)).toBe(DecodeStatus.NeedMoreBytes);
    expect(iced.decode(new Uint8Array(16).fill(0x66), 0, 16, 0, b)).toBe(DecodeStatus.Invalid);
    expect(iced.decode(Uint8Array.of(0x0f, 0x0b), 0, 2, 0, b)).toBe(DecodeStatus.Ok); // ud2 decodes; executing it is #UD
    expect(iced.decode(Uint8Array.of(0x06, 0x90, 0x90), 0, 3, 0, b)).toBe(DecodeStatus.Invalid); // push %es: not in 64-bit mode
  });
});

describe('the decoder is a swappable component', () => {
  for (const libc of libcs) {
    test.skipIf(!hasCompiler(libc))(`hello-${libc} runs on the machine with the iced-x86 adapter as its decoder, as natively`, () => {
      const prog = buildProbe('hello', libc);
      const out: string[] = [];
      const kernel = new Kernel({
        host: { write: (_fd, d) => out.push(new TextDecoder().decode(d)), read: () => new Uint8Array(0) },
        decoder: new IcedDecoder(),
      });
      kernel.exec(readFileSync(prog), ['hello'], [], '/hello');
      const result = kernel.run();
      const native = runNative(prog);
      expect(out.join('')).toBe(native.stdout);
      expect(result.status).toBe(3);
      expect(result.status).toBe(native.status);
    }, 60_000);
  }
});
