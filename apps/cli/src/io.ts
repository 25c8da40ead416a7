import type { HostFs } from '@legosim/kernel';
/** What the CLI needs from its host: files, the standard streams, and the terminal. */
export interface CliIo {
  /** Writes bytes or text to the host's stdout (fd 1) or stderr (fd 2), synchronously, in order. */
  write(fd: 1 | 2, data: Uint8Array | string): void;
  /** Reads up to `max` bytes of stdin; empty at end of file. */
  readStdin(max: number): Uint8Array;
  readFile(path: string): Uint8Array;
  /**
   * Reads a file in pieces of at most `chunkSize` bytes (default 1 MiB), so a large file never
   * sits in memory whole. Opening happens at the call (an unreadable file throws here); the
   * file is read as the result is iterated, each chunk a fresh array the caller may keep.
   */
  readChunks(path: string, chunkSize?: number): Iterable<Uint8Array>;
  /** The absolute form of a path (what /proc/self/exe names). */
  realPath(path: string): string;
  /**
   * Opens a file for writing; returns a writer and a close function. `write` is done with
   * `chunk` when it returns (it writes it out or copies it): callers reuse their buffers.
   */
  createFile(path: string): { write(chunk: Uint8Array | string): void; close(): void };
  /** Whether fd is a terminal (colour, progress). */
  isTty(fd: 1 | 2): boolean;
  /** Environment variables the CLI honours (NO_COLOR). */
  env(name: string): string | undefined;
  /** Monotonic host time in milliseconds, for --stats. */
  now(): number;
  /** The host's files behind `--mount` (Node's file system); without it, mounts are refused. */
  hostFs?: HostFs;
}

/** The default piece size of `CliIo.readChunks`: 1 MiB. */
export const READ_CHUNK_SIZE: number = 1 << 20;

/** A request the CLI cannot carry out (bad option, unreadable file, bad ELF): exit 125 with one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit status when legosim itself cannot run the request (DESIGN.md). */
export const EXIT_LEGOSIM_ERROR = 125;
