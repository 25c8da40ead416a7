import { describe, expect, test } from 'vitest';
import {
  GDT_ENTRY_KERNEL_CS,
  GDT_ENTRY_PER_CPU,
  GDT_ENTRY_TSS,
  LEGO_PER_CPU_LAYOUT as L,
  PerCpuAreas,
  PerCpuLayout,
  type PerCpuMemory,
  TSS_io_bitmap_base,
  TSS_ist,
  TSS_sp0,
  TSS_sp1,
  TSS_sp2,
} from '../src/index.js';

/** A sparse 64-bit little-endian memory keyed by signed addresses. */
function sparseMemory(): PerCpuMemory & { bytes: Map<number, number> } {
  const bytes = new Map<number, number>();
  return {
    bytes,
    read32(va: number) {
      let v = 0;
      for (let i = 3; i >= 0; i--) v = v * 256 + (bytes.get(va + i) ?? 0);
      return v;
    },
    write32(va: number, value: number) {
      for (let i = 0; i < 4; i++) bytes.set(va + i, (value >>> (8 * i)) & 0xff);
    },
  };
}

const PER_CPU_BASE = -0x780000000000 + 0x2000000; // a direct-map address

describe('per-CPU layout', () => {
  test('x86_hw_tss is packed: sp0 @4, sp1 @12, sp2 @20, ist @36, io_bitmap_base @102', () => {
    expect([TSS_sp0, TSS_sp1, TSS_sp2, TSS_ist, TSS_io_bitmap_base]).toEqual([4, 12, 20, 36, 102]);
  });

  test('cpu_current_top_of_stack is cpu_tss + 4', () => {
    expect(L.cpu_current_top_of_stack).toBe(L.cpu_tss + 4);
  });

  test('sections: page-aligned GDT first, cacheline-aligned TSS, then the plain variables', () => {
    expect(L.cpu_gdt_page).toBe(0);
    expect(L.cpu_tss).toBe(0x1000);
    expect(L.rsp_scratch).toBe(0x1000 + 8320);
    expect(L.current_task).toBe(L.rsp_scratch + 8);
    expect(L.cpu_number).toBe(L.current_task + 8);
    expect(L.this_cpu_off).toBe(L.cpu_number + 8);
    expect(L.__preempt_count).toBe(L.this_cpu_off + 8);
    expect(L.irq_regs).toBe(L.__preempt_count + 8);
    expect(L.vector_irq).toBe(L.irq_regs + 8);
    expect(L.size % 4096).toBe(0);
    expect(L.size).toBeGreaterThanOrEqual(L.vector_irq + 2048);
    expect(L.offsetOf('rsp_scratch')).toBe(L.rsp_scratch);
  });

  test('extra variables are appended to .data..percpu', () => {
    const layout = new PerCpuLayout([{ name: 'irq_count', size: 4 }]);
    expect(layout.offsetOf('irq_count')).toBe(L.vector_irq + 2048);
    expect(() => layout.offsetOf('nope')).toThrow();
  });
});

describe('per-CPU areas', () => {
  test('__per_cpu_offset[cpu] is the area address; %gs:sym is offset + sym', () => {
    const mem = sparseMemory();
    const areas = PerCpuAreas.contiguous(mem, PER_CPU_BASE, 2);
    expect(areas.offset(1)).toBe(PER_CPU_BASE + L.size);
    expect(areas.address(1, L.rsp_scratch)).toBe(PER_CPU_BASE + L.size + L.rsp_scratch);
    expect(() => areas.offset(2)).toThrow();
  });

  test('initCpu sets this_cpu_off, cpu_number, the GDT and the TSS descriptor', () => {
    const mem = sparseMemory();
    const areas = PerCpuAreas.contiguous(mem, PER_CPU_BASE, 2);
    areas.initCpu(1);
    const base = areas.offset(1);
    expect(areas.readPointer(1, L.this_cpu_off)).toBe(base);
    expect(areas.read32(1, L.cpu_number)).toBe(1);
    const gdt = base + L.cpu_gdt_page;
    // __KERNEL_CS: 0x00af9b000000ffff
    expect(mem.read32(gdt + GDT_ENTRY_KERNEL_CS * 8)).toBe(0x0000ffff);
    expect(mem.read32(gdt + GDT_ENTRY_KERNEL_CS * 8 + 4)).toBe(0x00af9b00);
    // TSS descriptor: base = &cpu_tss (64-bit), type 9, present
    const tss = base + L.cpu_tss;
    const lo = mem.read32(gdt + GDT_ENTRY_TSS * 8);
    const hi = mem.read32(gdt + GDT_ENTRY_TSS * 8 + 4);
    const upper = mem.read32(gdt + GDT_ENTRY_TSS * 8 + 8);
    const descBase =
      (upper | 0) * 2 ** 32 + ((((hi >>> 24) << 24) | ((hi & 0xff) << 16) | (lo >>> 16)) >>> 0);
    expect(descBase).toBe(tss);
    expect((hi >>> 8) & 0xff).toBe(0x89);
    expect((lo & 0xffff) | (hi & 0xf0000)).toBe(8303);
    // PER_CPU descriptor: limit = cpu number, DPL 3
    expect(mem.read32(gdt + GDT_ENTRY_PER_CPU * 8) & 0xffff).toBe(1);
    expect((mem.read32(gdt + GDT_ENTRY_PER_CPU * 8 + 4) >>> 13) & 3).toBe(3);
    expect(mem.read32(tss + 100) >>> 16).toBe(104);
  });

  test('pointers round-trip as signed canonical addresses; sp0 lives in the TSS', () => {
    const mem = sparseMemory();
    const areas = PerCpuAreas.contiguous(mem, PER_CPU_BASE, 1);
    const task = -0x780000000000 + 0x123450;
    areas.writeU64(0, L.current_task, task);
    expect(areas.readPointer(0, L.current_task)).toBe(task);
    expect(areas.readU64(0, L.current_task)).not.toBe(task);
    areas.setTopOfStack(0, -0x780000000000 + 0x50000);
    expect(areas.topOfStack(0)).toBe(-0x780000000000 + 0x50000);
    expect(mem.read32(PER_CPU_BASE + L.cpu_tss + 4)).toBe(0x50000);
    expect(mem.read32(PER_CPU_BASE + L.cpu_tss + 8)).toBe(0xffff8800);
    areas.writeU64(0, L.rsp_scratch, 0x7ffffffde000);
    expect(areas.readU64(0, L.rsp_scratch)).toBe(0x7ffffffde000);
  });
});
