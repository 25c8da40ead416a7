import { closeSync, openSync, readFileSync, readSync, realpathSync, writeSync } from 'node:fs';
import type { CliIo } from './io.js';
import { main } from './main.js';

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
  realPath: (path) => realpathSync(path),
  createFile(path) {
    const fd = openSync(path, 'w');
    return {
      write: (chunk) => {
        writeSync(fd, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      },
      close: () => closeSync(fd),
    };
  },
  isTty: (fd) => Boolean((fd === 1 ? process.stdout : process.stderr).isTTY),
  env: (name) => process.env[name],
  now: () => performance.now(),
};

/** Runs the CLI with process.argv and exits with its status. */
export async function cli(): Promise<void> {
  const status = await main(process.argv.slice(2), nodeIo);
  process.exitCode = status;
}
