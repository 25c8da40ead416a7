import type { CliIo } from './io.js';
import { main } from './main.js';
import { concat } from './memory-io.js';
import { nodeIo } from './node.js';

/** What one in-process run of the command line printed. */
export interface Captured {
  status: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
}

/**
 * A CliIo for running the command line in-process (tests, the docs generator): stdout and
 * stderr are recorded, stdin is served from `stdin`, files are the real file system (as
 * the Node host sees it), and the streams are never terminals.
 */
export function captureIo(stdin: Uint8Array = new Uint8Array(0)): { io: CliIo; result: () => Omit<Captured, 'status'> } {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  let stdinOffset = 0;
  const enc = new TextEncoder();
  const io: CliIo = {
    ...nodeIo,
    write(fd, data) {
      (fd === 1 ? out : err).push(typeof data === 'string' ? enc.encode(data) : data.slice());
    },
    readStdin(max) {
      const chunk = stdin.subarray(stdinOffset, stdinOffset + max);
      stdinOffset += chunk.length;
      return chunk;
    },
    isTty: () => false,
    env: () => undefined,
  };
  const result = (): Omit<Captured, 'status'> => {
    const stdoutBytes = concat(out);
    const dec = new TextDecoder();
    return { stdout: dec.decode(stdoutBytes), stderr: dec.decode(concat(err)), stdoutBytes };
  };
  return { io, result };
}


/** Runs `legosim ARGS...` in this process and returns what it printed. */
export async function runCli(args: readonly string[], stdin?: Uint8Array): Promise<Captured> {
  const { io, result } = captureIo(stdin);
  const status = await main(args, io);
  return { status, ...result() };
}
