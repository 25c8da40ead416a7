import { APIC_SPIV, ApicBus, LocalApic, type LocalApicOptions, MSR_IA32_APICBASE } from '../src/index.js';

/** A local APIC software-enabled through SPIV (spurious vector 0xff), as Lego's setup leaves it. */
export function enabledApic(options: LocalApicOptions = {}): LocalApic {
  const apic = new LocalApic(options);
  apic.writeRegister(APIC_SPIV, 0x1ff);
  return apic;
}

/** Switches `apic` from xAPIC to x2APIC mode (IA32_APIC_BASE.EXTD), as Linux's x2apic_enable does. */
export function toX2apic(apic: LocalApic): LocalApic {
  if (!apic.writeMsr(MSR_IA32_APICBASE, apic.readMsr(MSR_IA32_APICBASE) | 0x400, 0))
    throw new Error('x2APIC switch #GP');
  return apic;
}

/** `n` enabled APICs with IDs 0..n-1 on one bus. */
export function machine(n: number, options: LocalApicOptions = {}): { bus: ApicBus; apics: LocalApic[] } {
  const bus = new ApicBus();
  const apics: LocalApic[] = [];
  for (let id = 0; id < n; id++) {
    const apic = enabledApic({ ...options, apicId: id, bsp: id === 0 });
    bus.attach(apic);
    apics.push(apic);
  }
  return { bus, apics };
}
