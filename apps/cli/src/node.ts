import { closeSync, openSync, readFileSync, readSync, realpathSync, writeSync } from 'node:fs';
import { nodeHostFs } from './host-fs.js';
import { type CliIo, READ_CHUNK_SIZE } from './io.js';
import { main } from './main.js';

/** Reads an open file descriptor to its end in fresh chunks of `chunkSize` bytes, then closes it. */
function* fileChunks(fd: number, chunkSize: number): Generator<Uint8Array, void, undefined> {
  try {
    for (;;) {
      // a fresh buffer each time: the consumer may keep a chunk (a partial record) while reading on
      const buf = Buffer.allocUnsafe(chunkSize);
      const n = readSync(fd, buf, 0, chunkSize, null);
      if (n === 0) return;
      yield n === chunkSize ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** The CLI's host side on Node: synchronous standard streams and the file system. */
export const nodeIo: CliIo = {
  write(fd, data) {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) {
      try {
        off += writeSync(fd, bytes, off, bytes.length - off);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EPIPE') return;
        throw e;
      }
    }
  },
  readStdin(max) {
    const buf = Buffer.alloc(Math.min(max, 1 << 20));
    for (;;) {
      try {
        const n = readSync(0, buf, 0, buf.length, null);
        return buf.subarray(0, n);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EOF') return new Uint8Array(0);
        throw e;
      }
    }
  },
  readFile: (path) => readFileSync(path),
  readChunks(path, chunkSize = READ_CHUNK_SIZE) {
    const fd = openSync(path, 'r');
    return fileChunks(fd, chunkSize);
  },
  realPath: (path) => realpathSync(path),
  createFile(path) {
    const fd = openSync(path, 'w');
    return {
      write: (chunk) => {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      },
      close: () => closeSync(fd),
    };
  },
  isTty: (fd) => Boolean((fd === 1 ? process.stdout : process.stderr).isTTY),
  env: (name) => process.env[name],
  now: () => performance.now(),
  hostFs: nodeHostFs,
};

/** Runs the CLI with process.argv and exits with its status. */
export async function cli(): Promise<void> {
  const status = await main(process.argv.slice(2), nodeIo);
  process.exitCode = status;
}
