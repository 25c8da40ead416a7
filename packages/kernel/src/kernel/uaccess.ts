import type { PageTables } from '@legosim/memory';
import type { Task } from './task.js';

/**
 * How a copy goes on at a user page that is not mapped: `kernel` runs the copy as x86 code
 * (copy_user_enhanced_fast_string) on the CPU in the task's syscall, so the page fault is
 * taken for real — do_page_fault, nested frames, interrupts meanwhile — and returns whether
 * all `n` bytes were copied; it returns undefined when it cannot (the task is not the one
 * running, e.g. execve filling a new address space), and the page is then populated here.
 */
export type FaultingCopy = (t: Task, user: number, buf: Uint8Array, offset: number, n: number, toUser: boolean) => boolean | undefined;

/** The fault route of each kernel, by its page tables (a process may run several kernels). */
const faultingCopies = new WeakMap<PageTables, FaultingCopy>();

/** @internal Installs the kernel's route for copies that meet unmapped user pages. */
export function setFaultingCopy(pt: PageTables, copy: FaultingCopy): void {
  faultingCopies.set(pt, copy);
}

const USER_END = 0x800000000000;

/**
 * One page's part of a user copy: directly when the page is mapped (the usual case), else
 * through the kernel's fault route, else populated on demand as the page-fault handler would.
 */
function copyChunk(t: Task, va: number, buf: Uint8Array, offset: number, n: number, toUser: boolean): boolean {
  let pa = t.mm.translate(va, false, toUser);
  if (pa < 0) {
    const viaCpu = faultingCopies.get(t.mm.pt)?.(t, va, buf, offset, n, toUser);
    if (viaCpu !== undefined) return viaCpu;
    pa = t.mm.translate(va, true, toUser);
    if (pa < 0) return false;
  }
  if (toUser) t.mm.mem.writeBytes(pa, buf, offset, n);
  else t.mm.mem.readBytes(pa, buf, offset, n);
  return true;
}

/**
 * copy_from_user / copy_to_user / strncpy_from_user. Accesses go through the task's page
 * tables; a page that is not present but lies in a VMA is faulted in (see `FaultingCopy`).
 * A bad address gives null/false: the caller returns -EFAULT.
 */
export function copyFromUser(t: Task, addr: number, len: number): Uint8Array | null {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const va = addr + done;
    if (va < 0 || va >= USER_END) return null;
    const n = Math.min(len - done, 4096 - (va % 4096));
    if (!copyChunk(t, va, out, done, n, false)) return null;
    done += n;
  }
  return out;
}

export function copyToUser(t: Task, addr: number, bytes: Uint8Array): boolean {
  let done = 0;
  while (done < bytes.length) {
    const va = addr + done;
    if (va < 0 || va >= USER_END) return false;
    const n = Math.min(bytes.length - done, 4096 - (va % 4096));
    if (!copyChunk(t, va, bytes, done, n, true)) return false;
    done += n;
  }
  return true;
}

/** Reads a NUL-terminated string of at most `max` bytes; null on a bad address. */
export function strncpyFromUser(t: Task, addr: number, max = 4096): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < max; i++) {
    const va = addr + i;
    if (va < 0 || va >= 0x800000000000) return null;
    const pa = t.mm.translate(va, true, false);
    if (pa < 0) return null;
    const b = t.mm.mem.read8(pa);
    if (b === 0) break;
    bytes.push(b);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

export function putUser64(t: Task, addr: number, lo: number, hi: number): boolean {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint32(0, lo >>> 0, true);
  v.setUint32(4, hi >>> 0, true);
  return copyToUser(t, addr, b);
}

export function putUser32(t: Task, addr: number, value: number): boolean {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value | 0, true);
  return copyToUser(t, addr, b);
}

/** Reads a NULL-terminated array of string pointers (argv, envp); null on a bad address. */
export function userStringArray(t: Task, addr: number, max = 4096): string[] | null {
  const out: string[] = [];
  if (addr === 0) return out;
  for (let i = 0; i < max; i++) {
    const raw = copyFromUser(t, addr + i * 8, 8);
    if (raw === null) return null;
    const v = new DataView(raw.buffer);
    const p = v.getUint32(0, true) + v.getUint32(4, true) * 4294967296;
    if (p === 0) return out;
    const s = strncpyFromUser(t, p, 131072);
    if (s === null) return null;
    out.push(s);
  }
  return null;
}

/** Stores a non-negative safe integer as a little-endian u64 in a struct being built for user space. */
export function setU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value >>> 0, true);
  view.setUint32(at + 4, Math.floor(value / 4294967296) >>> 0, true);
}
