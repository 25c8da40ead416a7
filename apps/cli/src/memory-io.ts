import { type CliIo, READ_CHUNK_SIZE } from './io.js';

/** What an in-memory host holds after the command line ran against it. */
export interface MemoryHost {
  /** The CliIo to hand to `main`. */
  io: CliIo;
  /** Files by path: the inputs given, plus whatever the command created (a `--trace FILE`). */
  files: Map<string, Uint8Array>;
  /** Everything written to stdout (fd 1) so far. */
  stdout(): Uint8Array;
  /** Everything written to stderr (fd 2) so far. */
  stderr(): Uint8Array;
}

/**
 * A CliIo with no host behind it: files live in a Map, stdout and stderr are recorded, stdin
 * is a fixed byte string, and there is no `--mount` file system. This is how the command
 * line runs in a browser page or a worker (the docs playground), where no `node:fs` exists.
 * `now` is `performance.now()`, which both browsers and Node have.
 */
export function memoryIo(
  files: ReadonlyMap<string, Uint8Array> = new Map(),
  stdin: Uint8Array = new Uint8Array(0),
): MemoryHost {
  const store = new Map(files);
  const streams = recordedStreams(stdin);
  const enc = new TextEncoder();
  const read = (path: string): Uint8Array => {
    const bytes = store.get(path);
    // the shape of a Node error, so the CLI's messages ("no such file") read the same
    if (bytes === undefined) throw Object.assign(new Error(`${path}: no such file`), { code: 'ENOENT' });
    return bytes;
  };
  const io: CliIo = {
    write: streams.write,
    readStdin: streams.readStdin,
    readFile: read,
    readChunks(path, chunkSize = READ_CHUNK_SIZE) {
      const bytes = read(path);
      return (function* () {
        for (let off = 0; off < bytes.length; off += chunkSize) yield bytes.slice(off, off + chunkSize);
      })();
    },
    realPath(path) {
      read(path);
      return path.startsWith('/') ? path : `/${path}`;
    },
    createFile(path) {
      const parts: Uint8Array[] = [];
      return {
        write: (chunk) => parts.push(typeof chunk === 'string' ? enc.encode(chunk) : chunk.slice()),
        close: () => store.set(path, concat(parts)),
      };
    },
    isTty: () => false,
    env: () => undefined,
    now: () => performance.now(),
  };
  return { io, files: store, stdout: streams.stdout, stderr: streams.stderr };
}

/** Standard streams in memory: what is written to fd 1 and 2 is kept, stdin is served from `stdin`. */
export function recordedStreams(stdin: Uint8Array): Pick<CliIo, 'write' | 'readStdin'> & { stdout(): Uint8Array; stderr(): Uint8Array } {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const enc = new TextEncoder();
  let stdinOffset = 0;
  return {
    write(fd, data) {
      // a copy: the caller may reuse its buffer
      (fd === 1 ? out : err).push(typeof data === 'string' ? enc.encode(data) : data.slice());
    },
    readStdin(max) {
      const chunk = stdin.subarray(stdinOffset, stdinOffset + max);
      stdinOffset += chunk.length;
      return chunk;
    },
    stdout: () => concat(out),
    stderr: () => concat(err),
  };
}

/** The parts joined into one array (what a stream wrote, in order). */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return all;
}
