// The kernel's entry_64.S: assembled by us and by GNU as + ld, byte for byte, and the
// LegoOS conventions the kernel relies on (entry sequence, stubs, externals).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type AssembleResult, assemble } from '../src/asm/index.js';
import { gasAssemble, gasAvailable, toHex } from './asm-support/gas.js';

const ENTRY_64 = readFileSync(
  fileURLToPath(new URL('../../kernel/src/arch/x86/entry/entry_64.S', import.meta.url)),
  'utf8',
);

const TRAPS = [
  'divide_error',
  'debug',
  'nmi',
  'int3',
  'overflow',
  'bounds',
  'invalid_op',
  'device_not_available',
  'double_fault',
  'coprocessor_segment_overrun',
  'invalid_TSS',
  'segment_not_present',
  'stack_segment',
  'general_protection',
  'page_fault',
  'spurious_interrupt_bug',
  'coprocessor_error',
  'alignment_check',
  'machine_check',
  'simd_exception',
  'virtualization_exception',
];
const ERROR_CODE = new Set([
  'double_fault',
  'invalid_TSS',
  'segment_not_present',
  'stack_segment',
  'general_protection',
  'page_fault',
  'alignment_check',
]);

/** The externals entry_64.S needs: native functions at kernel-text addresses, per-CPU offsets. */
const FUNCTIONS = [
  'do_syscall_64',
  'syscall_return_slowpath',
  'prepare_exit_to_usermode',
  'schedule_tail',
  'smp_apic_timer_interrupt',
  'smp_call_function_single_interrupt',
  'smp_call_function_interrupt',
  'smp_reschedule_interrupt',
  'smp_error_interrupt',
  'smp_spurious_interrupt',
  'do_IRQ',
  ...TRAPS.map((t) => `do_${t}`),
];
const PER_CPU = ['rsp_scratch', 'cpu_tss'];

function externals(textBase: number, percpuBase: number): Record<string, number> {
  const s: Record<string, number> = {};
  FUNCTIONS.forEach((f, i) => {
    s[f] = textBase + 0x40 * i;
  });
  PER_CPU.forEach((v, i) => {
    s[v] = percpuBase + 0x100 * i;
  });
  return s;
}

const ORIGIN = -0x7f000000; // 0xffffffff81000000
const SYMBOLS = externals(-0x7e000000, 0x8000); // natives at 0xffffffff82000000..
const result = assemble(ENTRY_64, { origin: ORIGIN, symbols: SYMBOLS });

function at(r: AssembleResult, name: string, length: number): string {
  const a = r.symbols.get(name);
  if (a === undefined) throw new Error(`no symbol ${name}`);
  return toHex(r.bytes.slice(a - r.origin, a - r.origin + length));
}

function asm(text: string, symbols: Record<string, number> = SYMBOLS): string {
  return toHex(assemble(text, { origin: ORIGIN, symbols }).bytes);
}

describe.skipIf(!gasAvailable())('entry_64.S against GNU as + ld', () => {
  it('assembles to exactly the bytes of as + ld -Ttext=0xffffffff81000000', () => {
    const gas = gasAssemble(ENTRY_64, ORIGIN, SYMBOLS);
    expect(result.bytes.length).toBe(gas.text.length);
    expect(toHex(result.bytes)).toBe(toHex(gas.text));
  });

  it('gives every label the address ld gives it', () => {
    const gas = gasAssemble(ENTRY_64, ORIGIN, SYMBOLS);
    const labels = [...gas.symbols].filter(([name]) => result.symbols.has(name) && !(name in SYMBOLS));
    expect(labels.length).toBeGreaterThan(40);
    for (const [name, addr] of labels) expect([name, result.symbols.get(name)]).toEqual([name, addr]);
  });

  it('still matches with another origin and other external addresses', () => {
    const origin = -0x7fe00000; // 0xffffffff80200000
    const symbols = externals(-0x7fd00000 + 0x1234, 0x1c0);
    const ours = assemble(ENTRY_64, { origin, symbols });
    expect(toHex(ours.bytes)).toBe(toHex(gasAssemble(ENTRY_64, origin, symbols).text));
  });
});

describe('entry_64.S conventions', () => {
  it('uses exactly the documented externals', () => {
    expect([...result.externalsUsed].sort()).toEqual([...FUNCTIONS, ...PER_CPU].sort());
  });

  it('exports the entry points the kernel looks up by name', () => {
    for (const name of [
      'entry_SYSCALL_64',
      'return_from_SYSCALL_64',
      'ret_from_fork',
      'apic_timer_interrupt',
      'call_function_single_interrupt',
      'call_function_interrupt',
      'reschedule_interrupt',
      'error_interrupt',
      'spurious_interrupt',
      'irq_entries_start',
      'common_interrupt',
      'ret_from_intr',
      'retint_user',
      'retint_kernel',
      'restore_regs_and_iret',
      'native_irq_return_iret',
      'error_entry',
      'ignore_sysret',
      ...TRAPS,
    ]) {
      expect(result.globals.has(name), name).toBe(true);
      expect(result.symbols.get(name), name).toBeTypeOf('number');
    }
    expect(Math.abs(result.symbols.get('entry_SYSCALL_64')! % 16)).toBe(0);
    expect(result.symbols.get('cpu_current_top_of_stack')).toBe(SYMBOLS.cpu_tss! + 4);
  });

  it('enters a syscall instruction for instruction as lego-facts.md describes', () => {
    const facts = `
      swapgs
      mov %rsp, %gs:rsp_scratch
      mov %gs:cpu_tss+4, %rsp
      push $0x2b; push %gs:rsp_scratch; push %r11; push $0x33; push %rcx; push %rax
      push %rdi; push %rsi; push %rdx; push %rcx; push $-38
      push %r8; push %r9; push %r10; push %r11
      sub $(6*8), %rsp
      mov %r15, 0(%rsp); mov %r14, 8(%rsp); mov %r13, 16(%rsp); mov %r12, 24(%rsp); mov %rbp, 32(%rsp); mov %rbx, 40(%rsp)
      mov %rsp, %rdi`;
    const want = asm(facts);
    expect(at(result, 'entry_SYSCALL_64', want.length / 2)).toBe(want);
    // then `call do_syscall_64`
    const callAt = result.symbols.get('entry_SYSCALL_64')! + want.length / 2;
    const rel = SYMBOLS.do_syscall_64! - (callAt + 5);
    expect(toHex(result.bytes.slice(callAt - ORIGIN, callAt - ORIGIN + 5))).toBe(
      toHex(Uint8Array.of(0xe8, rel & 0xff, (rel >> 8) & 0xff, (rel >> 16) & 0xff, (rel >>> 24) & 0xff)),
    );
  });

  it('returns with sysretq after restoring what SYSRET does not', () => {
    const tail = asm(`
      mov 56(%rsp), %r10; mov 64(%rsp), %r9; mov 72(%rsp), %r8; mov 80(%rsp), %rax
      mov 96(%rsp), %rdx; mov 104(%rsp), %rsi; mov 112(%rsp), %rdi
      mov 152(%rsp), %rsp
      swapgs
      sysretq`);
    expect(at(result, 'syscall_return_via_sysret', tail.length / 2)).toBe(tail);
  });

  it('returns with iretq after restoring all registers and dropping orig_ax', () => {
    const restore = asm(`
      mov 0(%rsp), %r15; mov 8(%rsp), %r14; mov 16(%rsp), %r13; mov 24(%rsp), %r12; mov 32(%rsp), %rbp; mov 40(%rsp), %rbx
      mov 48(%rsp), %r11; mov 56(%rsp), %r10; mov 64(%rsp), %r9; mov 72(%rsp), %r8; mov 80(%rsp), %rax
      mov 88(%rsp), %rcx; mov 96(%rsp), %rdx; mov 104(%rsp), %rsi; mov 112(%rsp), %rdi
      sub $-128, %rsp
      iretq`);
    expect(at(result, 'restore_regs_and_iret', restore.length / 2)).toBe(restore);
    expect(result.symbols.get('native_irq_return_iret')).toBe(
      result.symbols.get('restore_regs_and_iret')! + restore.length / 2 - 2,
    );
  });

  it('pushes -1 as orig_ax only for exceptions without an error code', () => {
    for (const t of TRAPS) {
      const first = at(result, t, 2);
      expect([t, first === '6aff']).toEqual([t, !ERROR_CODE.has(t)]);
    }
  });

  it('pushes ~vector for the APIC vectors and ~vector+0x80 in each device stub', () => {
    expect(at(result, 'apic_timer_interrupt', 5)).toBe(asm('pushq $~0xef'));
    expect(at(result, 'error_interrupt', 5)).toBe(asm('pushq $~0xfe'));
    expect(at(result, 'spurious_interrupt', 5)).toBe(asm('pushq $~0xff'));
    const base = result.symbols.get('irq_entries_start')!;
    expect(Math.abs(base % 8)).toBe(0);
    for (let v = 0x20; v < 0xef; v++) {
      const off = base - ORIGIN + 8 * (v - 0x20);
      expect([v, result.bytes[off], result.bytes[off + 1]]).toEqual([v, 0x6a, (~v + 0x80) & 0xff]);
    }
    expect(result.symbols.get('apic_timer_interrupt')! >= base + 8 * (0xef - 0x20)).toBe(true);
  });
});
