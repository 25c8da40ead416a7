export { ApicBus, type IpiListener } from './apic-bus.js';
export * from './apic-registers.js';
export {
  APIC_DIVISOR,
  ApicTimer,
  configureLegoTimer,
  type TimerRegisters,
  type TscReader,
  timerDivideConfig,
  timerDivisor,
} from './apic-timer.js';
export * from './gdt.js';
export * from './io-apic.js';
export {
  type ApicActivity,
  type ApicMsrHook,
  type IpiSink,
  LocalApic,
  type LocalApicOptions,
} from './local-apic.js';
export * from './percpu.js';
export { PerCpuAreas, type PerCpuMemory } from './percpu-areas.js';
export * from './vectors.js';
export { apicBaseWriteAllowed, x2apicReadable, x2apicWritableBits } from './x2apic.js';
