// Errors are AsmError values with the source line: for the kernel, a broken entry_64.S must
// say where, never assemble to something else.
import { describe, expect, it } from 'vitest';
import { AsmError, assemble } from '../src/asm/index.js';

function error(src: string, symbols: Record<string, number> = {}): AsmError {
  try {
    assemble(src, { origin: 0x1000, symbols });
  } catch (e) {
    if (e instanceof AsmError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(src)}`);
}

const CASES: [string, string, number, RegExp][] = [
  ['unknown mnemonic', 'nop\n  frobnicate %rax', 2, /unknown instruction 'frobnicate'/],
  ['register too wide for the suffix', 'nop\nmovl %rax, %rbx', 2, /operand type mismatch for 'movl'/],
  ['immediate as destination', 'mov %rax, $1', 1, /operand type mismatch for 'mov'/],
  ['lea of a register', 'lea %rax, %rbx', 1, /operand type mismatch for 'lea'/],
  ['immediate too large for the operation', 'movb $300, %al', 1, /operand type mismatch/],
  ['bad register name', 'nop\nmov %foo, %rax', 2, /bad register name '%foo'/],
  [
    'undefined symbol, at the line that uses it',
    'nop\nnop\ncall undefined_fn\nnop',
    3,
    /undefined symbol 'undefined_fn'/,
  ],
  ['undefined symbol in data', '.quad 1\n.quad nothing + 8', 2, /undefined symbol 'nothing'/],
  ['backward local label never defined', 'jmp 1b', 1, /undefined local label '1b'/],
  ['forward local label never defined', 'nop\njne 1f', 2, /undefined local label '1f'/],
  [
    'rel8-only branch out of range',
    'jrcxz 1f\n.fill 200,1,0x90\n1:',
    1,
    /branch displacement .* does not fit in 1 byte/,
  ],
  [
    'absolute address beyond 32 bits',
    'nop\nmov %gs:0x80000000, %rax',
    2,
    /displacement 0x80000000 does not fit in 4 bytes/,
  ],
  [
    'zero-extended 32-bit field with a negative link-time value',
    '.long far',
    1,
    /does not fit in 4 bytes \(zero-extended\)/,
  ],
  ['unknown directive', 'nop\n.bogus 1', 2, /unknown directive '.bogus'/],
  ['.error', 'nop\n.error "boom"', 2, /boom/],
  ['missing .endm', 'nop\n.macro M\nnop', 2, /missing .endm/],
  ['.endif without .if', '.endif', 1, /.endif without .if/],
  ['.if without .endif', '.if 1\nnop', 2, /.if without .endif/],
  [
    'required macro argument missing, at the invocation',
    '.macro M a:req\npush %\\a\n.endm\nnop\nM',
    5,
    /required parameter 'a'/,
  ],
  [
    'error inside a macro body, at the invocation',
    '.macro M\nbadinsn\n.endm\nnop\nnop\nM',
    6,
    /unknown instruction 'badinsn'/,
  ],
  ['duplicate label', 'x: nop\nx: nop', 2, /symbol 'x' is already defined/],
  ['division by zero', '.quad 1/0', 1, /division by zero/],
  ['unterminated string', '.ascii "abc', 1, /unterminated string/],
  ['unterminated comment', 'nop\n/* never closed', 2, /unterminated \/\* comment/],
  ['indirection outside jmp/call', 'mov *%rax, %rbx', 1, /'\*' is only valid with jmp and call/],
  ['high byte register with REX', 'mov %ah, %r8b', 1, /can't encode %ah/],
  ['.globl of a symbol never defined', 'nop\n.globl nowhere', 2, /'nowhere' is never defined/],
  ['%rsp as index', 'add $1, (%rax,%rsp)', 1, /%rsp cannot be an index register/],
  ['mixed address sizes', 'mov (%rax,%ebx), %rcx', 1, /same width/],
  ['bad scale', 'mov (%rax,%rbx,3), %rcx', 1, /scale factor must be 1, 2, 4 or 8/],
  ['missing comma between operands', 'mov %rax %rbx', 1, /junk '%rbx' after operand '%rax'/],
  ['circular .set', '.set a, b\n.set b, a\n.quad a', 3, /defined in terms of itself/],
  ['alignment not a power of two', '.align 3', 1, /not a power of 2/],
];

describe('assembler errors', () => {
  for (const [what, src, line, message] of CASES) {
    it(what, () => {
      const e = error(src, { far: -0x1000 });
      expect(e).toBeInstanceOf(AsmError);
      expect(e.line).toBe(line);
      expect(e.reason).toMatch(message);
      expect(e.message).toBe(`line ${line}: ${e.reason}`);
    });
  }

  it('throws only AsmError on random input (fuzz)', () => {
    const pieces = [
      'mov',
      'movq',
      'push',
      'jmp',
      'call',
      'lea',
      'add',
      'shl',
      '.quad',
      '.byte',
      '.macro',
      '.endm',
      '.rept',
      '.endr',
      '.if',
      '.else',
      '.endif',
      '.set',
      '.p2align',
      '.section',
      '1:',
      '1f',
      '1b',
      'x:',
      'x',
      '%rax',
      '%gs:',
      '%ah',
      '%r13',
      '%xmm0',
      '$',
      '$-1',
      '0x7fffffff',
      '(',
      ')',
      ',',
      '*',
      '+',
      '<<',
      '~',
      '"',
      "'",
      '#',
      '/*',
      '*/',
      ';',
      '\n',
      '\\a',
      '8(%rsp)',
      '(%rax,%rbx,8)',
      '%rip',
      '=',
      '==',
      '.globl',
    ];
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let ok = 0;
    for (let i = 0; i < 3000; i++) {
      const n = 1 + rnd(8);
      let src = '';
      for (let j = 0; j < n; j++) src += `${pieces[rnd(pieces.length)]}${rnd(3) === 0 ? '' : ' '}`;
      try {
        assemble(src, { origin: 0, symbols: { x: 0 } });
        ok++;
      } catch (e) {
        if (!(e instanceof AsmError)) throw new Error(`${JSON.stringify(src)}: ${String(e)}`);
      }
    }
    expect(ok).toBeGreaterThan(0);
  });
});
