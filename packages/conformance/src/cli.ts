import { closeSync, openSync, readFileSync, readSync, realpathSync, writeFileSync } from 'node:fs';
import { type CliIo, main } from 'legosim';

/** What a CLI run printed. */
export interface Captured {
  status: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
}

/** An open file's contents in fresh chunks of `chunkSize` bytes; closes it at the end. */
export function* fileChunks(fd: number, chunkSize: number = 1 << 20): Generator<Uint8Array, void, undefined> {
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(chunkSize);
      const n = readSync(fd, buf, 0, chunkSize, null);
      if (n === 0) return;
      yield n === chunkSize ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** A CliIo that records stdout and stderr and serves `stdin`; files are the real file system. */
export function captureIo(stdin: Uint8Array = new Uint8Array(0)): { io: CliIo; result: () => Omit<Captured, 'status'> } {
  const out: Uint8Array[] = [];
  const err: string[] = [];
  let stdinOffset = 0;
  const enc = new TextEncoder();
  const io: CliIo = {
    write(fd, data) {
      const bytes = typeof data === 'string' ? enc.encode(data) : data.slice();
      if (fd === 1) out.push(bytes);
      else err.push(new TextDecoder().decode(bytes));
    },
    readStdin(max) {
      const chunk = stdin.subarray(stdinOffset, stdinOffset + max);
      stdinOffset += chunk.length;
      return chunk;
    },
    readFile: (path) => readFileSync(path),
    readChunks: (path, chunkSize = 1 << 20) => fileChunks(openSync(path, 'r'), chunkSize),
    realPath: (path) => realpathSync(path),
    createFile(path) {
      const chunks: Uint8Array[] = [];
      return {
        write: (c) => chunks.push(typeof c === 'string' ? enc.encode(c) : c.slice()),
        close: () => writeFileSync(path, Buffer.concat(chunks)),
      };
    },
    isTty: () => false,
    env: () => undefined,
    now: () => performance.now(),
  };
  const result = () => {
    const stdoutBytes = Buffer.concat(out);
    return { stdout: new TextDecoder().decode(stdoutBytes), stderr: err.join(''), stdoutBytes };
  };
  return { io, result };
}

/** Runs `legosim ARGS...` in this process. */
export async function runCli(args: readonly string[], stdin?: Uint8Array): Promise<Captured> {
  const { io, result } = captureIo(stdin);
  const status = await main(args, io);
  return { status, ...result() };
}
