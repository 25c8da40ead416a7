import { APIC_DM_INIT, APIC_DM_STARTUP, APIC_INT_ASSERT, APIC_INT_LEVELTRIG } from '@legosim/interrupts';
import type { Kernel } from '../../../kernel/kernel.js';
import { KernelPanic } from '../../../kernel/panic.js';
import { writeIcr } from './smp.js';

/** Where the real-mode trampoline would sit: the SIPI vector is its page number. */
export const TRAMPOLINE_PHYS = 0x9a000;

/**
 * smp_boot_cpus() → do_boot_cpu() → wakeup_secondary_cpu_via_init() (arch/x86/kernel/smpboot.c):
 * the boot CPU starts each secondary CPU with the MP start-up sequence on its local APIC —
 * INIT asserted, INIT de-asserted, then STARTUP twice with the trampoline's page — and the
 * messages cross the APIC bus like any IPI (the trace shows them). A secondary CPU's APIC
 * leaves wait-for-SIPI at the first STARTUP.
 *
 * The documented shortcut: the trampoline (real mode → protected mode → long mode, then
 * start_secondary) is not executed. Once the STARTUP message has reached the CPU, the kernel
 * does what start_secondary() ends with, directly: cpu_init() for that CPU (its GDT page,
 * TSS, IDT, syscall MSRs, GS base = __per_cpu_offset[cpu], APIC and timer) and
 * cpu_startup_entry(), which runs the CPU's idle task.
 */
export function smpBootCpus(k: Kernel): void {
  const bsp = k.apics[0]!;
  for (let id = 1; id < k.cpus.length; id++) {
    writeIcr(bsp, id, APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT);
    writeIcr(bsp, id, APIC_DM_INIT | APIC_INT_LEVELTRIG);
    for (let i = 0; i < 2; i++) writeIcr(bsp, id, APIC_DM_STARTUP | (TRAMPOLINE_PHYS >>> 12));
    const ap = k.apics[id]!;
    if (ap.activity !== 'active' || ap.startupAddress !== TRAMPOLINE_PHYS)
      throw new KernelPanic(`CPU ${id} did not answer the STARTUP IPI`);
    k.cpuInit(id);
    k.startIdle(id);
  }
}
