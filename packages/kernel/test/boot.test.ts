import { Msr } from '@legosim/cpu';
import { describe, expect, test } from 'vitest';
import { buildSyscallTable, Kernel, LEGO_SYSCALL_NAMES, NR_SYSCALLS } from '../src/index.js';

const host = { write: () => {}, read: () => new Uint8Array(0) };

describe('boot: Lego\'s GDT, TSS, IDT and syscall MSRs', () => {
  const kernel = new Kernel({ host });
  const cpu = kernel.cpus[0]!;

  test('MSR_STAR, MSR_LSTAR and MSR_SYSCALL_MASK are as Lego sets them', () => {
    expect(cpu.readMsr(Msr.STAR)![1]).toBe(0x00230010);
    const [lo, hi] = cpu.readMsr(Msr.LSTAR)!;
    expect(hi * 4294967296 + (lo >>> 0)).toBe(kernel.symbol('entry_SYSCALL_64'));
    expect(cpu.readMsr(Msr.SYSCALL_MASK)![0]).toBe(0x47700);
  });

  test('GS base is __per_cpu_offset[0], and cpu_current_top_of_stack is the TSS sp0', () => {
    expect(cpu.gsBase).toBe(kernel.percpu.offset(0));
    expect(cpu.trBase).toBe(kernel.percpu.offset(0) + kernel.percpu.layout.cpu_tss);
    expect(kernel.percpu.layout.cpu_current_top_of_stack).toBe(kernel.percpu.layout.cpu_tss + 4);
  });

  test('the GDT holds Lego\'s descriptors at their indexes', () => {
    const gdt = cpu.gdtBase;
    const desc = (i: number): number => ((cpu.read32(gdt + i * 8 + 4) >>> 8) & 0xf0ff);
    expect(desc(1)).toBe(0xc09b);
    expect(desc(2)).toBe(0xa09b);
    expect(desc(3)).toBe(0xc093);
    expect(desc(4)).toBe(0xc0fb);
    expect(desc(5)).toBe(0xc0f3);
    expect(desc(6)).toBe(0xa0fb);
    expect((cpu.read32(gdt + 8 * 8 + 4) >>> 8) & 0x8f).toBe(0x89); // present 64-bit TSS
  });

  test('the IDT has interrupt gates (IST 0, __KERNEL_CS) for the exceptions and the APIC timer', () => {
    for (const [vector, entry] of [
      [14, 'page_fault'],
      [13, 'general_protection'],
      [0xef, 'apic_timer_interrupt'],
    ] as const) {
      const g = cpu.idtBase + vector * 16;
      const w0 = cpu.read32(g);
      const w1 = cpu.read32(g + 4);
      const target = cpu.read32(g + 8) * 4294967296 + (((w1 & 0xffff0000) | (w0 & 0xffff)) >>> 0);
      expect(target).toBe(kernel.symbol(entry));
      expect(w0 >>> 16).toBe(0x10);
      expect((w1 >>> 8) & 0xff).toBe(0x8e); // present, DPL 0, 64-bit interrupt gate
      expect(w1 & 7).toBe(0); // IST
    }
  });
});

describe('sys_call_table', () => {
  test('612 slots, Lego\'s 111 entries, and the strict table dispatches only those', () => {
    expect(NR_SYSCALLS).toBe(612);
    expect(Object.keys(LEGO_SYSCALL_NAMES)).toHaveLength(111);
    const strict = buildSyscallTable(true);
    const loose = buildSyscallTable(false);
    expect(strict).toHaveLength(612);
    expect(strict[302]!.fn).toBeUndefined(); // prlimit64: not in Lego
    expect(loose[302]!.fn).toBeDefined();
    for (const row of strict) if (row.fn) expect(row.lego, row.name).toBe(true);
    expect(strict[1]!.name).toBe('write');
    expect(strict[611]!.name).toBe('drop_page_cache');
  });
});
