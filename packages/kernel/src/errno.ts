/** The guest's errno values (Linux x86-64 ABI, include/uapi/asm-generic/errno-base.h). Not the host's. */
export const enum Errno {
  EPERM = 1,
  ENOENT = 2,
  ESRCH = 3,
  EINTR = 4,
  EIO = 5,
  ENXIO = 6,
  E2BIG = 7,
  ENOEXEC = 8,
  EBADF = 9,
  ECHILD = 10,
  EAGAIN = 11,
  ENOMEM = 12,
  EACCES = 13,
  EFAULT = 14,
  EBUSY = 16,
  EEXIST = 17,
  ENODEV = 19,
  ENOTDIR = 20,
  EISDIR = 21,
  EINVAL = 22,
  EMFILE = 24,
  ENOTTY = 25,
  EFBIG = 27,
  ENOSPC = 28,
  ESPIPE = 29,
  EROFS = 30,
  EPIPE = 32,
  ERANGE = 34,
  ENAMETOOLONG = 36,
  ENOSYS = 38,
  ENOTEMPTY = 39,
  ELOOP = 40,
  EXDEV = 18,
  ENFILE = 23,
  ETIMEDOUT = 110,
}

const NAMES: Record<number, [string, string]> = {
  1: ['EPERM', 'Operation not permitted'],
  2: ['ENOENT', 'No such file or directory'],
  3: ['ESRCH', 'No such process'],
  4: ['EINTR', 'Interrupted system call'],
  110: ['ETIMEDOUT', 'Connection timed out'],
  5: ['EIO', 'Input/output error'],
  9: ['EBADF', 'Bad file descriptor'],
  10: ['ECHILD', 'No child processes'],
  11: ['EAGAIN', 'Resource temporarily unavailable'],
  12: ['ENOMEM', 'Cannot allocate memory'],
  13: ['EACCES', 'Permission denied'],
  14: ['EFAULT', 'Bad address'],
  17: ['EEXIST', 'File exists'],
  20: ['ENOTDIR', 'Not a directory'],
  21: ['EISDIR', 'Is a directory'],
  22: ['EINVAL', 'Invalid argument'],
  25: ['ENOTTY', 'Inappropriate ioctl for device'],
  29: ['ESPIPE', 'Illegal seek'],
  30: ['EROFS', 'Read-only file system'],
  32: ['EPIPE', 'Broken pipe'],
  34: ['ERANGE', 'Numerical result out of range'],
  38: ['ENOSYS', 'Function not implemented'],
  6: ['ENXIO', 'No such device or address'],
  7: ['E2BIG', 'Argument list too long'],
  8: ['ENOEXEC', 'Exec format error'],
  16: ['EBUSY', 'Device or resource busy'],
  18: ['EXDEV', 'Invalid cross-device link'],
  19: ['ENODEV', 'No such device'],
  23: ['ENFILE', 'Too many open files in system'],
  24: ['EMFILE', 'Too many open files'],
  27: ['EFBIG', 'File too large'],
  28: ['ENOSPC', 'No space left on device'],
  36: ['ENAMETOOLONG', 'File name too long'],
  39: ['ENOTEMPTY', 'Directory not empty'],
  40: ['ELOOP', 'Too many levels of symbolic links'],
};

/** The errno of a host error code name (`ENOENT`), EIO for names the guest has no number for. */
export function errnoOfCode(code: string | undefined): number {
  for (const [n, [name]] of Object.entries(NAMES)) if (name === code) return Number(n);
  return Errno.EIO;
}

/** strace's rendering of an error return: `ENOTTY (Inappropriate ioctl for device)`. */
export function errnoText(errno: number): string {
  const n = NAMES[errno];
  return n ? `${n[0]} (${n[1]})` : `E${errno} (Unknown error ${errno})`;
}
