import { describe, expect, test } from 'vitest';
import { Kernel } from '../src/index.js';

const host = { write: () => {}, read: () => new Uint8Array(0) };

describe('an SMP boot: four CPUs, each with its own per-CPU area, started by INIT and STARTUP', () => {
  const ipis: [number, number, number][] = [];
  const kernel = new Kernel({
    host,
    cpus: 4,
    trace: new Proxy({} as never, {
      get: (_t, name) => (name === 'ipi' ? (_ts: number, _cpu: number, from: number, to: number, vector: number) => ipis.push([from, to, vector]) : () => {}),
    }),
  });
  const layout = kernel.percpu.layout;

  test('the boot CPU sends each secondary CPU INIT, then STARTUP twice with the trampoline page', () => {
    expect(ipis).toEqual([1, 2, 3].flatMap((to) => [[0, to, 0], [0, to, 0x9a], [0, to, 0x9a]]));
    for (const apic of kernel.apics) expect(apic.activity).toBe('active');
    expect(kernel.apics.map((a) => a.apicId)).toEqual([0, 1, 2, 3]);
  });

  test('GS base = __per_cpu_offset[cpu]; cpu_number, this_cpu_off, GDT page and TSS are per CPU', () => {
    const offsets = new Set<number>();
    for (const cpu of kernel.cpus) {
      const base = kernel.percpu.offset(cpu.id);
      offsets.add(base);
      expect(cpu.gsBase).toBe(base);
      expect(cpu.read32(base + layout.cpu_number)).toBe(cpu.id);
      expect(cpu.read32(base + layout.this_cpu_off)).toBe(base >>> 0);
      expect(cpu.gdtBase).toBe(base + layout.cpu_gdt_page);
      expect(cpu.trBase).toBe(base + layout.cpu_tss);
      expect(cpu.tscAux).toBe(cpu.id);
    }
    expect(offsets.size).toBe(4);
  });

  test('each secondary CPU runs its idle task in cpu_idle_loop, with its own kernel stack in the TSS', () => {
    const tops = new Set<number>();
    for (const cpu of kernel.cpus.slice(1)) {
      const idle = kernel.currentTask(cpu);
      expect(idle.isIdle).toBe(true);
      expect(idle.pid).toBe(0);
      expect(idle.comm).toBe(`swapper/${cpu.id}`);
      expect(cpu.rip).toBe(kernel.symbol('cpu_idle_loop'));
      expect(cpu.cpl).toBe(0);
      const base = kernel.percpu.offset(cpu.id);
      // current_task and cpu_current_top_of_stack (TSS sp0)
      expect(cpu.read32(base + layout.current_task)).toBe(idle.taskStruct >>> 0);
      const sp0 = cpu.read32(base + layout.cpu_tss + 4);
      expect(sp0).toBe(idle.sp0 >>> 0);
      tops.add(sp0);
    }
    expect(tops.size).toBe(3);
    expect(kernel.idleCpus).toBe(0b1110);
  });

  test("RDMSR reaches each CPU's own APIC: IA32_APIC_BASE has the BSP flag on CPU 0 only", () => {
    for (const cpu of kernel.cpus) {
      const [lo] = cpu.readMsr(0x1b)!;
      expect(lo & 0xfffff000).toBe(0xfee00000 | 0);
      expect((lo >>> 8) & 1).toBe(cpu.id === 0 ? 1 : 0); // BSP
      expect((lo >>> 11) & 1).toBe(1); // global enable
      // x2APIC registers are not readable in xAPIC mode (#GP)
      expect(cpu.readMsr(0x802)).toBeUndefined();
    }
  });

  test('the IDT routes the IPI vectors to their entry stubs', () => {
    const cpu = kernel.cpus[2]!;
    for (const [vector, entry] of [
      [0xfb, 'call_function_single_interrupt'],
      [0xfc, 'call_function_interrupt'],
      [0xfd, 'reschedule_interrupt'],
    ] as const) {
      const g = cpu.idtBase + vector * 16;
      const target = cpu.read32(g + 8) * 4294967296 + (((cpu.read32(g + 4) & 0xffff0000) | (cpu.read32(g) & 0xffff)) >>> 0);
      expect(target).toBe(kernel.symbol(entry));
    }
  });

  test('more CPUs than affinity masks hold are refused', () => {
    expect(() => new Kernel({ host, cpus: 33 })).toThrow(/1 to 32/);
    expect(() => new Kernel({ host, cpus: 0 })).toThrow(/1 to 32/);
  });
});
