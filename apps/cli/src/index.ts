export { main, HELP } from './main.js';
export type { CliIo } from './io.js';
export { UsageError, EXIT_LEGOSIM_ERROR } from './io.js';
export { buildDemoProgram, DEMO_SOURCE, staticElf } from './demo.js';
export { nodeIo, cli } from './node.js';
export { captureIo, type Captured, runCli } from './capture.js';
export { VERSION } from './version.js';
