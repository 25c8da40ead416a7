import { expect, test } from 'vitest';
import type { Mmu as CpuMmu, PagingMode as CpuPagingMode } from '../../cpu/src/bus.js';
import { Mmu, type PagingMode, PhysicalMemory } from '../src/index.js';

test('Mmu satisfies the CPU package Mmu interface structurally', () => {
  const m: CpuMmu = new Mmu(new PhysicalMemory({ size: 1 << 20, allocStart: 0 }));
  const mode: CpuPagingMode = { cpl: 3, writeProtect: true, noExecute: true, smep: true, smap: false };
  const same: PagingMode = mode;
  m.setMode(same);
  expect(m.pageVersions).toBeInstanceOf(Uint32Array);
});
