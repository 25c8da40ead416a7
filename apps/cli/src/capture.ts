import type { CliIo } from './io.js';
import { main } from './main.js';
import { recordedStreams } from './memory-io.js';
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
  const streams = recordedStreams(stdin);
  const io: CliIo = {
    ...nodeIo,
    write: streams.write,
    readStdin: streams.readStdin,
    isTty: () => false,
    env: () => undefined,
  };
  const result = (): Omit<Captured, 'status'> => {
    const stdoutBytes = streams.stdout();
    const dec = new TextDecoder();
    return { stdout: dec.decode(stdoutBytes), stderr: dec.decode(streams.stderr()), stdoutBytes };
  };
  return { io, result };
}

/** Runs `legosim ARGS...` in this process and returns what it printed. */
export async function runCli(args: readonly string[], stdin?: Uint8Array): Promise<Captured> {
  const { io, result } = captureIo(stdin);
  const status = await main(args, io);
  return { status, ...result() };
}
