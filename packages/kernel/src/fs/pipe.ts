import { Errno } from '../errno.js';
import type { File } from './file.js';
import { fail, Inode, type InodeAttributes, S, WouldBlock } from './inode.js';

/** PIPE_DEF_BUFFERS * PAGE_SIZE: what a pipe holds before writers wait. */
export const PIPE_SIZE = 65536;
/** PIPE_BUF: writes up to this size are atomic. */
const PIPE_BUF = 4096;

/** The pipe was written after its last reader closed: the writer gets SIGPIPE, then EPIPE. */
export class BrokenPipe extends Error {
  constructor() {
    super('broken pipe');
  }
}

/**
 * fs/pipe.c: a pipe_inode_info with its buffer and the count of open read and write ends.
 * Readers of an empty pipe wait while a writer exists; writers of a full pipe wait while a
 * reader exists.
 */
export class Pipe {
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  readers = 0;
  writers = 0;
  readonly read: PipeEnd;
  readonly write: PipeEnd;

  constructor() {
    this.read = new PipeEnd(this, false);
    this.write = new PipeEnd(this, true);
  }

  get length(): number {
    return this.bytes;
  }

  take(len: number): Uint8Array {
    const n = Math.min(len, this.bytes);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.bytes -= n;
    return out;
  }

  put(data: Uint8Array): void {
    this.chunks.push(data.slice());
    this.bytes += data.length;
  }
}

/** One end of a pipe, as an inode (S_IFIFO, no position). */
export class PipeEnd extends Inode {
  constructor(
    private readonly pipe: Pipe,
    private readonly writeEnd: boolean,
  ) {
    super(S.IFIFO, 0o600, undefined, writeEnd ? 'pipe:[w]' : 'pipe:[r]');
  }

  override attributes(): InodeAttributes {
    return { ...super.attributes(), ino: this.pipe.read.ino, dev: 0xc };
  }

  /** An open file description of this end was created (pipe, pipe2). */
  opened(): void {
    if (this.writeEnd) this.pipe.writers++;
    else this.pipe.readers++;
  }

  override release(_file: File): void {
    if (this.writeEnd) this.pipe.writers--;
    else this.pipe.readers--;
  }

  override read(_pos: number, len: number): Uint8Array {
    const p = this.pipe;
    if (this.writeEnd) fail(Errno.EBADF);
    if (len === 0) return new Uint8Array(0);
    if (p.length === 0) {
      if (p.writers === 0) return new Uint8Array(0); // end of file
      throw new WouldBlock(() => p.length > 0 || p.writers === 0);
    }
    return p.take(len);
  }

  override write(_pos: number, data: Uint8Array): number {
    const p = this.pipe;
    if (!this.writeEnd) fail(Errno.EBADF);
    if (p.readers === 0) throw new BrokenPipe();
    const room = PIPE_SIZE - p.length;
    // small writes go in whole or wait; large ones move what fits
    if (room === 0 || (data.length <= PIPE_BUF && room < data.length)) {
      throw new WouldBlock(() => p.readers === 0 || PIPE_SIZE - p.length >= Math.min(data.length, PIPE_BUF));
    }
    const n = Math.min(room, data.length);
    p.put(data.subarray(0, n));
    return n;
  }

  override get seekable(): boolean {
    return false;
  }
}
