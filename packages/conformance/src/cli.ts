// The differential tests drive the command line in-process, exactly as a user runs it.
export { captureIo, type Captured, runCli } from 'legosim';
