import type { Task } from './task.js';

/**
 * copy_from_user / copy_to_user / strncpy_from_user. Accesses go through the task's page
 * tables; a page that is not present but lies in a VMA is populated on demand, as the
 * page-fault handler would. A bad address gives null/false: the caller returns -EFAULT.
 */
export function copyFromUser(t: Task, addr: number, len: number): Uint8Array | null {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const va = addr + done;
    const pa = t.mm.translate(va, true, false);
    if (pa < 0 || va < 0 || va >= 0x800000000000) return null;
    const n = Math.min(len - done, 4096 - (va % 4096));
    t.mm.mem.readBytes(pa, out, done, n);
    done += n;
  }
  return out;
}

export function copyToUser(t: Task, addr: number, bytes: Uint8Array): boolean {
  let done = 0;
  while (done < bytes.length) {
    const va = addr + done;
    if (va < 0 || va >= 0x800000000000) return false;
    const pa = t.mm.translate(va, true, true);
    if (pa < 0) return false;
    const n = Math.min(bytes.length - done, 4096 - (va % 4096));
    t.mm.mem.writeBytes(pa, bytes, done, n);
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
