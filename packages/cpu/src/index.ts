export type { Clock, InterruptSource, Mmu, PagingMode } from './bus.js';
export { Cr0, Cr4, EXCEPTION_NAMES, Efer, hasErrorCode, Msr, Rflags, Vector } from './constants.js';
export { Cpu, StopReason } from './cpu.js';
export type { CpuOptions, Handler, MsrHook, NativeFunction } from './cpu.js';
export { cpuid } from './cpuid.js';
export { CpuFault, CpuStop } from './fault.js';
export { FlagOp, LazyFlags } from './flags.js';
export { handlers } from './semantics/index.js';
