import type { Cpu } from '@legosim/cpu';
import {
  APIC_DEST_PHYSICAL,
  APIC_DM_FIXED,
  APIC_ICR,
  APIC_ICR2,
  type LocalApic,
  RESCHEDULE_VECTOR,
} from '@legosim/interrupts';
import type { Kernel } from '../../../kernel/kernel.js';
import { runnable } from '../../../kernel/sched.js';
import { type Task, Tif } from '../../../kernel/task.js';

/**
 * arch/x86/kernel/smp.c: the IPIs of an SMP kernel. A CPU that makes a task runnable
 * while another CPU idles wakes that CPU with a reschedule IPI (ttwu → resched_curr →
 * smp_send_reschedule); a signal for a task running on another CPU forces it into the kernel
 * the same way (kick_process); a TLB shootdown asks the CPUs running an address space to
 * flush through the call-function vectors (arch/x86/mm/tlb.ts). Every IPI goes out through
 * the sender's local APIC ICR, on the bus the APICs share, as fixed physical-destination
 * messages; the APIC ID of CPU N is N.
 */

/** An IPI as the xAPIC sends one: ICR2 (the destination APIC ID), then ICR (`low`: vector, delivery mode...), physical destination. */
export function writeIcr(apic: LocalApic, to: number, low: number): void {
  apic.writeRegister(APIC_ICR2, to << 24);
  apic.writeRegister(APIC_ICR, low | APIC_DEST_PHYSICAL);
}

/** native_send_call_func_ipi / smp_send_reschedule: a fixed IPI of `vector` from CPU `from` to CPU `to`. */
export function sendIpi(k: Kernel, from: number, to: number, vector: number): void {
  writeIcr(k.apics[from]!, to, vector | APIC_DM_FIXED);
  // a halted receiver wakes no earlier than the IPI was sent
  if (k.ipiSentAt[to]! < k.now()) k.ipiSentAt[to] = k.now();
}

/**
 * After the running CPU `from` made tasks runnable (a wake-up, a new thread, a task it
 * preempted): each such task not running anywhere gets an idle CPU it may run on, woken by a
 * reschedule IPI, one CPU per task. CPUs already sent one and not yet through schedule() are
 * skipped. With `from` = -1 the caller is the model's timer wheel between turns: the idle
 * CPU's own APIC raises the vector instead (no IPI). Returns whether a runnable task that may
 * run on `from` found no idle CPU (the tick then reschedules `from`).
 */
export function wakeIdleCpus(k: Kernel, from: number): boolean {
  let avail = k.idleCpus & ~k.kickedCpus;
  if (from >= 0) avail &= ~(1 << from);
  let waiting = false;
  for (const t of k.tasks) {
    if (t.onCpu >= 0 || !runnable(t)) continue;
    const allowed = t.cpusAllowed & avail;
    if (allowed === 0) {
      if (from >= 0 && ((t.cpusAllowed >>> from) & 1) !== 0) waiting = true;
      continue;
    }
    const to = 31 - Math.clz32(allowed & -allowed);
    avail &= ~(1 << to);
    k.kickedCpus |= 1 << to;
    if (from >= 0) sendIpi(k, from, to, RESCHEDULE_VECTOR);
    else k.apics[to]!.raise(RESCHEDULE_VECTOR);
  }
  return waiting;
}

/** kick_process(): a task running on another CPU enters the kernel soon, to see its pending signal. */
export function kickProcess(k: Kernel, t: Task): void {
  if (t.onCpu >= 0 && t.onCpu !== k.running) sendIpi(k, k.running, t.onCpu, RESCHEDULE_VECTOR);
}

/**
 * smp_reschedule_interrupt(): acknowledge, then scheduler_ipi(). The sender asked for a
 * schedule() when this CPU idles, or when its task may no longer run here (sched_setaffinity);
 * a kick_process needs nothing more: the way back to user mode looks at the signals.
 */
export function smpRescheduleInterrupt(k: Kernel, cpu: Cpu): void {
  k.apics[cpu.id]!.eoi();
  const t = k.currentTask(cpu);
  if (t.isIdle || ((t.cpusAllowed >>> cpu.id) & 1) === 0) t.flags |= Tif.NEED_RESCHED;
}

/** smp_call_function_interrupt() and its single-CPU twin: acknowledge, then run what was queued for this CPU. */
export function smpCallFunctionInterrupt(k: Kernel, cpu: Cpu): void {
  k.apics[cpu.id]!.eoi();
  const queue = k.callFunctionQueue[cpu.id]!;
  while (queue.length > 0) queue.shift()!();
}
