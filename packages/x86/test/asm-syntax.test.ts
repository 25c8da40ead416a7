// GAS syntax the entry code relies on — expressions, data, macros, conditionals, local labels,
// alignment, branch relaxation — checked against GNU as + ld, plus the API's result shape.
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { gasAssemble, gasAvailable, toHex } from './asm-support/gas.js';

const ORIGIN = -0x7f000000; // 0xffffffff81000000
const EXTERNALS = { far_fn: -0x7e000000, percpu_var: 0x1f8 };

function ours(src: string): string {
  return toHex(assemble(src, { origin: ORIGIN, symbols: EXTERNALS }).bytes);
}
function gas(src: string): string {
  return toHex(gasAssemble(src, ORIGIN, EXTERNALS).text);
}

/** A deterministic pseudo-random program of jumps across fills and alignments. */
function branchProgram(seed: number, n: number): string {
  let s = seed;
  const rnd = (k: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % k;
  };
  const out = ['.globl g0', 'g0:'];
  for (let i = 0; i < n; i++) {
    out.push(`L${i}:`);
    const t = `L${rnd(n)}`;
    switch (rnd(10)) {
      case 0:
        out.push(`  jmp ${t}`);
        break;
      case 1:
        out.push(`  jne ${t}`);
        break;
      case 2:
        out.push(`  .fill ${rnd(120)}, 1, 0x90`);
        break;
      case 3:
        out.push(`  .p2align ${rnd(6)}`);
        break;
      case 4:
        out.push('  1: jz 1b', '  jmp 1f', '  nop', '  1:');
        break;
      case 5:
        out.push(`  call ${t}`);
        break;
      case 6:
        out.push('  .balign 8, 0xcc');
        break;
      case 7:
        out.push(`  jmp g0`, `  jle far_fn`);
        break;
      case 8:
        out.push(`  .p2align 4,,${rnd(12)}`);
        break;
      default:
        out.push(`  movq $${rnd(1000)}, ${rnd(300)}(%rsp)`);
        break;
    }
  }
  return `${out.join('\n')}\n`;
}

const CASES: Record<string, string> = {
  'expressions with GAS precedence (shifts bind like *, | & ^ above + -)': `
    .quad 1 + 2 << 3, (1 + 2) << 3, 6 & 3 + 1, 1 | 2 + 4, 7 - 2 - 1, 2 * 3 % 4
    .quad ~0xef + 0x80, -(15*8 + 8), 0x7fffffffffffffff + 1, -1 >> 60, 100 / 7, -100 / 7
    .quad 'A', 0b1011, 017, 1 == 1, 1 < 2, 3 != 3, 1 && 0, 0 || 5, !0, !7
    .long 0xffffffff, -1, 1 << 31
    .word 0xffff, -32768
    .byte 255, -128, 'z'`,
  'data naming labels and externals at kernel addresses (64-bit exact)': `
    here: .quad here, there, far_fn, far_fn + 8, there - here, percpu_var
    .long percpu_var, there - here
    .quad 0xffffffff81000000, 0x8000000000000000, -0x7f000000
    there: .byte there - here`,
  '.set, .equ and = (with redefinition inside .rept)': `
    .set A, 3
    .equ B, A * 2
    C = B + 1
    movl $C, %eax
    v = 0
    .rept 4
    .byte v
    v = v + 1
    .endr
    .set late, A + C
    .quad late`,
  'macros: positional, keyword, default and required arguments, nesting, \\@ and \\()': `
    .macro SAVE reg, off=0
    movq %\\reg, \\off(%rsp)
    .endm
    .macro TWICE a b:req
    SAVE \\a, 8
    SAVE reg=\\b off=16
    lbl\\@: jmp lbl\\@
    .endm
    .macro PASTE name
    \\name\\()_x: .byte 1
    .endm
    SAVE rax
    SAVE r12 24
    TWICE rbx, rcx
    TWICE r8 r9
    PASTE foo
    .quad foo_x`,
  '.irp and conditionals (.if .ifeq .ifne .ifdef .ifndef .ifb .ifnb .ifc .else .elseif)': `
    .irp r, rax, rbx, r13
    push %\\r
    .endr
    .set X, 2
    .if X == 2
    nop
    .else
    int3
    .endif
    .ifeq X - 3
    int3
    .elseif X - 2
    int3
    .else
    cld
    .endif
    .ifdef X
    cli
    .endif
    .ifndef Y
    sti
    .endif
    .macro B a
    .ifb \\a
    hlt
    .endif
    .ifnb \\a
    pause
    .endif
    .ifc \\a,foo
    ud2
    .endif
    .endm
    B
    B foo
    B bar`,
  'numeric local labels reused many times': `
    1: jmp 1f
    1: jmp 1b
    2: jne 1b
    1: jz 2b
    jmp 2f
    2: jmp 1b
    1: .quad 1b, 2b`,
  'comments, ; separators and label forms': `
    /* block
       comment */ nop # line comment
    a: b: nop; nop ; /* c */ nop
    .Llocal: jmp .Llocal
    .globl c; c: ret`,
  'alignment: NOP padding of every length in .text, fill bytes, max skip': `
    .rept 33
    nop
    .p2align 5
    .endr
    .byte 1; .p2align 4,,7
    .byte 2; .p2align 4,,15
    .byte 3; .balign 8, 0xcc
    .byte 4; .align 16
    .byte 5; .balign 4, 0x90
    .byte 6; .p2align 3, 0xcc, 3`,
  'sections: .section / .previous / .pushsection keep .text contiguous': `
    nop
    .section .rodata, "a", @progbits
    .quad 1
    .previous
    ret
    .pushsection .data
    .long 2
    .popsection
    int3
    .text
    cld`,
  'label differences: known once both labels are defined with nothing relaxable between': `
    add $(e1 - s1), %rax
    s1: nop; .quad 0; mov %eax, %ebx
    e1: add $(e1 - s1), %rax
    lea (e1 - s1)(%rdx), %rcx
    cmpl $(s1 - e1 + 1), 8(%rsp)
    s2: jmp s2
    e2: add $(e2 - s2), %rax
    s3: jne far_fn
    e3: add $(e3 - s3), %rax
    s4: .p2align 2
    e4: add $(e4 - s4), %rax
    s5: call far_fn; ret
    e5: add $(e5 - s5), %rax; push $(e5 - s5) * 2`,
  'string and space directives': `
    .ascii "ab\\n"
    .asciz "c\\"d"
    .string "e"
    .skip 3
    .space 2, 0xaa
    .zero 1
    .fill 3, 2, 0x1234
    .fill 2, 8, -1`,
};

describe.skipIf(!gasAvailable())('GAS syntax against GNU as + ld', () => {
  for (const [name, src] of Object.entries(CASES)) {
    it(name, () => {
      expect(ours(src)).toBe(gas(src));
    });
  }

  // 12 runs of GNU as and ld: 2 s alone, 18 s while turbo runs every package's tests at once
  it('relaxes branches like GNU as (random programs)', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const src = branchProgram(seed, 70);
      expect([seed, ours(src)]).toEqual([seed, gas(src)]);
    }
  }, 180_000);

  it('keeps a branch short at exactly -128/+127 and long one byte further', () => {
    const src = `
      jmp 1f; .fill 127, 1, 0x90; 1:
      jmp 1f; .fill 128, 1, 0x90; 1:
      1: .fill 126, 1, 0x90; jmp 1b
      1: .fill 127, 1, 0x90; jmp 1b
      jne 1f; .fill 127, 1, 0x90; 1:
      jne 1f; .fill 128, 1, 0x90; 1:`;
    expect(ours(src)).toBe(gas(src));
  });
});

describe('assembler result', () => {
  it('reports labels, .set values and globals with canonical signed addresses', () => {
    const r = assemble('.globl start\n.set K, 0x40\nstart: nop\nnext: .quad start\n.Lhidden: ret', {
      origin: ORIGIN,
    });
    expect(r.symbols.get('start')).toBe(ORIGIN);
    expect(r.symbols.get('next')).toBe(ORIGIN + 1);
    expect(r.symbols.get('K')).toBe(0x40);
    expect(r.symbols.has('.Lhidden')).toBe(false);
    expect([...r.globals]).toEqual(['start']);
    // .quad of 0xffffffff81000000, exactly
    expect(toHex(r.bytes.slice(1, 9))).toBe('00000081ffffffff');
  });

  it('lists each instruction with its address and source line', () => {
    const r = assemble('nop\n\n  mov %rsp, %rdi\n.quad 1', { origin: 0x1000 });
    expect(r.listing).toEqual([
      { address: 0x1000, size: 1, line: 1, section: '.text', source: 'nop' },
      { address: 0x1001, size: 3, line: 3, section: '.text', source: 'mov %rsp, %rdi' },
      { address: 0x1004, size: 8, line: 4, section: '.text', source: '' },
    ]);
    const m = assemble('.macro SAVE r, off=0\n movq %\\r,\t\\off(%rsp)\n.endm\n\nSAVE r15 8', { origin: 0 });
    expect(m.listing).toEqual([
      { address: 0, size: 5, line: 5, section: '.text', source: 'movq %r15, 8(%rsp)' },
    ]);
  });

  it('places other sections after .text and reports which externals were used', () => {
    const r = assemble('.section .data\nd: .quad far_fn\n.text\nnop\ncall far_fn\n', {
      origin: 0x1000,
      symbols: { ...EXTERNALS, unused: 1 },
    });
    expect(r.bytes.length).toBe(6);
    expect(r.sections.map((s) => s.name)).toEqual(['.text', '.data']);
    expect(r.sections[1]?.address).toBe(0x1006);
    expect(r.symbols.get('d')).toBe(0x1006);
    expect([...r.externalsUsed]).toEqual(['far_fn']);
  });

  it('encodes branches to externals with rel32 even when they are near', () => {
    expect(ours('jmp far_fn')).toBe('e9fbffff00'); // far_fn = 0xffffffff82000000, 0x1000000 - 5 ahead
    expect(toHex(assemble('jmp near_ext', { origin: 0, symbols: { near_ext: 2 } }).bytes)).toBe('e9fdffffff');
  });
});
