/*
 * `legosim/browser`: the command line without its Node host. Everything here runs in a
 * browser page or worker (no node:fs, no process): `main` with an in-memory CliIo runs
 * `run`, `explain` and `trace` exactly as the terminal does, and the explain helpers let a
 * page draw the same kernel-stack picture. The docs playground is built on it.
 */
export { main, HELP } from './main.js';
export type { CliIo } from './io.js';
export { UsageError, EXIT_LEGOSIM_ERROR } from './io.js';
export { buildDemoProgram, DEMO_SOURCE, staticElf } from './demo.js';
export { memoryIo, type MemoryHost } from './memory-io.js';
export { currentCpl, hex64, instructionBytes, nativeName, perCpuName, slotLabel } from './explain-parts.js';
export { kernelOptions } from './commands/run.js';
export { VERSION } from './version.js';
