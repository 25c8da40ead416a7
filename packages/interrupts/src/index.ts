export * from './apic-registers.js';
export { ApicBus, type IpiListener } from './apic-bus.js';
export {
  APIC_DIVISOR,
  configureLegoTimer,
  type TimerRegisters,
  timerDivideConfig,
  timerDivisor,
} from './apic-timer.js';
export * from './gdt.js';
export { type IpiSink, LocalApic, type LocalApicOptions } from './local-apic.js';
export * from './percpu.js';
export { PerCpuAreas, type PerCpuMemory } from './percpu-areas.js';
export * from './vectors.js';
