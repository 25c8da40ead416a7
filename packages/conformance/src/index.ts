export { buildProbe, hasCommand, hasCompiler, type Libc, probeSource } from './probes.js';
export { captureIo, type Captured, runCli } from './cli.js';
