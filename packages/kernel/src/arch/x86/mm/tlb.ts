import { CALL_FUNCTION_SINGLE_VECTOR, CALL_FUNCTION_VECTOR } from '@legosim/interrupts';
import type { Kernel } from '../../../kernel/kernel.js';
import type { Task } from '../../../kernel/task.js';
import type { MmStruct } from '../../../mm/mm.js';
import { sendIpi } from '../kernel/smp.js';

/**
 * flush_tlb_mm_range() (arch/x86/mm/tlb.c) after `t`'s mappings changed (munmap, mprotect):
 * the running CPU reloads CR3, dropping its non-global entries; then, as
 * native_flush_tlb_others → smp_call_function_many does, every other CPU running a thread of
 * the same address space is sent flush_tlb_func through a call-function IPI (the single-CPU
 * vector when there is one target). The sender does not spin on the call's completion: CPUs
 * take turns, so a target has retired nothing since the request, and it takes the IPI at its
 * next instruction boundary with IF set.
 */
export function flushTlbMm(k: Kernel, t: Task): void {
  const cpu = k.currentCpu(t);
  cpu.mmu.loadCr3(t.mm.pgd);
  k.trace?.tlbFlush(k.now(), cpu.id, 'mm', 0);
  if (k.cpus.length === 1) return;
  const targets: number[] = [];
  for (let id = 0; id < k.cpus.length; id++) if (id !== cpu.id && k.currentOn(id)?.mm === t.mm) targets.push(id);
  const vector = targets.length === 1 ? CALL_FUNCTION_SINGLE_VECTOR : CALL_FUNCTION_VECTOR;
  for (const id of targets) {
    k.callFunctionQueue[id]!.push(() => flushTlbFunc(k, id, t.mm));
    sendIpi(k, cpu.id, id, vector);
  }
}

/** flush_tlb_func(): on the target CPU, a full flush if it still runs that address space. */
function flushTlbFunc(k: Kernel, id: number, mm: MmStruct): void {
  if (k.currentOn(id)?.mm !== mm) return;
  k.cpus[id]!.mmu.loadCr3(mm.pgd);
  k.trace?.tlbFlush(k.now(), id, 'shootdown', 0);
}
