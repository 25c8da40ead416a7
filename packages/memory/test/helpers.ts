import { Mmu, PageTables, PhysicalMemory } from '../src/index.js';

export interface Machine {
  mem: PhysicalMemory;
  pt: PageTables;
  cr3: number;
  mmu: Mmu;
}

export function machine(size = 64 * 1024 * 1024): Machine {
  const mem = new PhysicalMemory({ size, allocStart: 0x100000 });
  const pt = new PageTables(mem);
  const cr3 = pt.createRoot();
  const mmu = new Mmu(mem);
  mmu.loadCr3(cr3);
  mmu.setMode({ cpl: 0, writeProtect: true, noExecute: true, smep: false, smap: false });
  return { mem, pt, cr3, mmu };
}
