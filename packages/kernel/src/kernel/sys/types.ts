import type { Kernel } from '../kernel.js';
import type { Task } from '../task.js';

/**
 * A syscall implementation: the six argument registers as JS numbers (signed 64-bit
 * values; exact for pointers, sizes and small integers), the return value likewise
 * (negative errno on failure).
 */
export type SyscallFn = (k: Kernel, t: Task, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => number;

/**
 * How `--strace` prints an argument:
 * d signed, u unsigned, x pointer/hex, fd, s C string, b:N buffer of arg N bytes,
 * ob output buffer (length = return value), iov:N iovec array of arg N entries, or a
 * symbolic decoder name (see strace.ts).
 */
export type ArgFormat = string;

/** One row of the syscall table: dispatch, the strace printer and the docs all read it. */
export interface SyscallRow {
  nr: number;
  name: string;
  /** Part of Lego's own table (lego-facts.md); others exist only outside --lego-table-only. */
  lego: boolean;
  fn?: SyscallFn;
  args: readonly ArgFormat[];
  /** The arguments are printed as they were at entry (execve replaces the memory they live in). */
  entry?: boolean;
  /**
   * How the return value prints: d (default), x (address), o (octal, umask), or "none" (exit:
   * `= ?`); "regs" for rt_sigreturn, which restores every register itself (ax included), so
   * the syscall path leaves ax alone.
   */
  ret?: 'd' | 'x' | 'o' | 'none' | 'regs';
}
