import { Errno } from '../../errno.js';
import { copyFromUser, copyToUser, strncpyFromUser } from '../uaccess.js';
import type { SyscallFn } from './types.js';

/**
 * The file syscalls a hello world needs: stdin/stdout/stderr are the host's; the rest of
 * the VFS (tmpfs root, mounts) comes with the kernel issue.
 */

const MAX_RW = 0x7ffff000;

function validFd(fd: number): boolean {
  return fd === 0 || fd === 1 || fd === 2;
}

export const sys_write: SyscallFn = (k, t, fd, buf, count) => {
  if (!validFd(fd) || fd === 0) return -Errno.EBADF;
  if (count < 0) return -Errno.EINVAL;
  const n = Math.min(count, MAX_RW);
  if (n === 0) return 0;
  const data = copyFromUser(t, buf, n);
  if (data === null) return -Errno.EFAULT;
  k.host.write(fd, data);
  return n;
};

export const sys_writev: SyscallFn = (k, t, fd, iov, iovcnt) => {
  if (!validFd(fd) || fd === 0) return -Errno.EBADF;
  if (iovcnt < 0 || iovcnt > 1024) return -Errno.EINVAL;
  const vec = copyFromUser(t, iov, iovcnt * 16);
  if (vec === null) return -Errno.EFAULT;
  const view = new DataView(vec.buffer);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const base = view.getUint32(i * 16, true) + view.getInt32(i * 16 + 4, true) * 4294967296;
    const len = view.getUint32(i * 16 + 8, true) + view.getInt32(i * 16 + 12, true) * 4294967296;
    if (len < 0) return -Errno.EINVAL;
    if (len === 0) continue;
    const data = copyFromUser(t, base, len);
    if (data === null) return total > 0 ? total : -Errno.EFAULT;
    parts.push(data);
    total += len;
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  if (total > 0) k.host.write(fd, all);
  return total;
};

export const sys_read: SyscallFn = (k, t, fd, buf, count) => {
  if (!validFd(fd)) return -Errno.EBADF;
  if (fd !== 0) return -Errno.EBADF;
  if (count < 0) return -Errno.EINVAL;
  const data = k.host.read(0, Math.min(count, MAX_RW));
  if (data.length === 0) return 0;
  if (!copyToUser(t, buf, data)) return -Errno.EFAULT;
  return data.length;
};

export const sys_close: SyscallFn = (_k, _t, fd) => (validFd(fd) ? 0 : -Errno.EBADF);

const TCGETS = 0x5401;
const TIOCGWINSZ = 0x5413;

/** No terminal is modeled: terminal ioctls on the standard streams fail with ENOTTY. */
export const sys_ioctl: SyscallFn = (_k, _t, fd, cmd) => {
  if (!validFd(fd)) return -Errno.EBADF;
  if (cmd === TCGETS || cmd === TIOCGWINSZ) return -Errno.ENOTTY;
  return -Errno.ENOTTY;
};

const S_IFIFO = 0o010000;

/** struct stat (x86-64) for a standard stream: a pipe, owned by root, mode 0600. */
function fillStreamStat(fd: number): Uint8Array {
  const st = new Uint8Array(144);
  const v = new DataView(st.buffer);
  v.setUint32(0, 0xc, true); // st_dev
  v.setUint32(8, 1000 + fd, true); // st_ino
  v.setUint32(16, 1, true); // st_nlink
  v.setUint32(24, S_IFIFO | 0o600, true); // st_mode
  v.setUint32(56, 4096, true); // st_blksize
  return st;
}

export const sys_fstat: SyscallFn = (_k, t, fd, statbuf) => {
  if (!validFd(fd)) return -Errno.EBADF;
  return copyToUser(t, statbuf, fillStreamStat(fd)) ? 0 : -Errno.EFAULT;
};

const AT_EMPTY_PATH = 0x1000;

export const sys_newfstatat: SyscallFn = (k, t, dirfd, pathname, statbuf, flags) => {
  const path = strncpyFromUser(t, pathname);
  if (path === null) return -Errno.EFAULT;
  if (path === '' && (flags & AT_EMPTY_PATH) !== 0) return sys_fstat(k, t, dirfd, statbuf, 0, 0, 0, 0);
  return -Errno.ENOENT;
};

/** readlink: only /proc/self/exe exists (it names the program). */
export const sys_readlink: SyscallFn = (k, t, pathname, buf, bufsiz) => {
  const path = strncpyFromUser(t, pathname);
  if (path === null) return -Errno.EFAULT;
  if (bufsiz <= 0) return -Errno.EINVAL;
  if (path !== '/proc/self/exe') return -Errno.ENOENT;
  const target = new TextEncoder().encode(k.executablePath).subarray(0, bufsiz);
  return copyToUser(t, buf, target) ? target.length : -Errno.EFAULT;
};

const F_DUPFD = 0;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const F_DUPFD_CLOEXEC = 1030;

/** fcntl on the standard streams: stdin is O_RDONLY, stdout and stderr O_WRONLY; no duplication yet. */
export const sys_fcntl: SyscallFn = (_k, _t, fd, cmd) => {
  if (!validFd(fd)) return -Errno.EBADF;
  switch (cmd) {
    case F_GETFD:
      return 0;
    case F_SETFD:
    case F_SETFL:
      return 0;
    case F_GETFL:
      return fd === 0 ? 0 : 1;
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      return -Errno.EMFILE;
    default:
      return -Errno.EINVAL;
  }
};
