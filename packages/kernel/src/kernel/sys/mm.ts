import { Errno } from '../../errno.js';
import { MmStruct, PROT_EXEC, PROT_READ, PROT_WRITE, pageDown, pageUp } from '../../mm/mm.js';
import type { SyscallFn } from './types.js';

const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_FIXED_NOREPLACE = 0x100000;
const TASK_SIZE = 0x7ffffffff000;

/** brk: grows or shrinks the heap VMA; returns the new break, or the old one on failure (as Linux). */
export const sys_brk: SyscallFn = (_k, t, addr) => {
  const mm = t.mm;
  if (addr < mm.brkStart) return mm.brk;
  const oldEnd = pageUp(mm.brk);
  const newEnd = pageUp(addr);
  if (newEnd > oldEnd) {
    for (const v of mm.vmas) if (v.name !== '[heap]' && v.start < newEnd && v.end > oldEnd) return mm.brk;
    const heap = mm.vmas.find((v) => v.name === '[heap]');
    if (heap) heap.end = newEnd;
    else mm.insertVma({ start: pageUp(mm.brkStart), end: newEnd, prot: PROT_READ | PROT_WRITE, name: '[heap]' });
  } else if (newEnd < oldEnd) {
    mm.removeRange(newEnd, oldEnd);
    const heap = mm.vmas.find((v) => v.name === '[heap]');
    if (heap) heap.end = newEnd;
  }
  mm.brk = addr;
  return addr;
};

export const sys_mmap: SyscallFn = (_k, t, addr, length, prot, flags, fd) => {
  const mm = t.mm;
  if (length <= 0) return -Errno.EINVAL;
  if (addr % 4096 !== 0 && (flags & MAP_FIXED) !== 0) return -Errno.EINVAL;
  if ((flags & (MAP_SHARED | MAP_PRIVATE)) === 0) return -Errno.EINVAL;
  if ((flags & MAP_ANONYMOUS) === 0) return fd < 0 ? -Errno.EBADF : -Errno.ENODEV;
  const len = pageUp(length);
  let start: number;
  if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0) {
    start = pageDown(addr);
    if (start + len > TASK_SIZE) return -Errno.ENOMEM;
    if ((flags & MAP_FIXED_NOREPLACE) !== 0 && mm.vmas.some((v) => v.start < start + len && v.end > start)) return -Errno.EEXIST;
  } else {
    start = mm.findFreeArea(len);
    if (start < 0x10000) return -Errno.ENOMEM;
  }
  mm.insertVma({ start, end: start + len, prot: prot & (PROT_READ | PROT_WRITE | PROT_EXEC), name: '[anon]' });
  return start;
};

export const sys_munmap: SyscallFn = (k, t, addr, length) => {
  if (addr % 4096 !== 0 || length <= 0) return -Errno.EINVAL;
  t.mm.removeRange(addr, addr + pageUp(length));
  k.flushTlb(t);
  return 0;
};

export const sys_mprotect: SyscallFn = (k, t, addr, length, prot) => {
  if (addr % 4096 !== 0) return -Errno.EINVAL;
  if (length === 0) return 0;
  if (!t.mm.protect(addr, addr + pageUp(length), prot & 7)) return -Errno.ENOMEM;
  k.flushTlb(t);
  return 0;
};

export const sys_madvise: SyscallFn = () => 0;

export { MmStruct };
