import { Errno } from '../../errno.js';
import { File, O } from '../../fs/file.js';
import { FsError, fail, type Inode, S, WouldBlock } from '../../fs/inode.js';
import { BrokenPipe, Pipe } from '../../fs/pipe.js';
import { type Nameidata, pathLookup, pathOf } from '../../fs/namei.js';
import { fillStat } from '../../fs/stat.js';
import { doGroupExit } from '../exit.js';
import type { Kernel } from '../kernel.js';
import { SIG_DFL, SIGPIPE, Si, sendSignal } from '../signal.js';
import type { Task } from '../task.js';
import { copyFromUser, copyToUser, putUser64, strncpyFromUser } from '../uaccess.js';
import type { SyscallFn } from './types.js';

/**
 * fs/open.c, fs/read_write.c, fs/stat.c, fs/namei.c, fs/readdir.c, fs/fcntl.c: the file
 * syscalls over the guest's namespace (fs/namespace.ts). VFS operations report failures by
 * throwing FsError; `vfs()` turns that into the syscall's -errno.
 */

/** MAX_RW_COUNT: one read or write moves at most this many bytes. */
const MAX_RW = 0x7ffff000;
const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_REMOVEDIR = 0x200;
const AT_EMPTY_PATH = 0x1000;

function vfs(body: SyscallFn): SyscallFn {
  return (k, t, a0, a1, a2, a3, a4, a5) => {
    try {
      return body(k, t, a0, a1, a2, a3, a4, a5);
    } catch (e) {
      if (e instanceof FsError) return -e.errno;
      if (e instanceof WouldBlock) return k.sleep(t, e.ready);
      if (e instanceof BrokenPipe) {
        // SIGPIPE, then EPIPE: its default action kills; a handler or SIG_IGN lets the write fail
        if (t.sighand.action[SIGPIPE]!.handler === SIG_DFL && !t.blocked.has(SIGPIPE)) {
          doGroupExit(k, t, 0, SIGPIPE, 'SIGPIPE: write to a pipe with no reader');
        }
        sendSignal(k, t, { signo: SIGPIPE, errno: 0, code: Si.USER, pid: t.pid, uid: 0 }, false);
        return -Errno.EPIPE;
      }
      throw e;
    }
  };
}

function userPath(t: Task, addr: number): string {
  const path = strncpyFromUser(t, addr, 4096);
  if (path === null) fail(Errno.EFAULT);
  return path;
}

/** The directory a relative path starts from: the cwd for AT_FDCWD, else the dirfd's directory. */
function startDir(t: Task, dirfd: number, path: string): Inode {
  if (path.startsWith('/') || (dirfd | 0) === AT_FDCWD) return t.fs.cwd;
  const inode = t.files.get(dirfd).inode;
  if (inode.type !== S.IFDIR) fail(Errno.ENOTDIR);
  return inode;
}

function lookupAt(k: Kernel, t: Task, dirfd: number, addr: number, follow: boolean): Nameidata {
  const path = userPath(t, addr);
  return pathLookup(k.ns.root, startDir(t, dirfd, path), path, follow);
}

/** The walk must have found a file: ENOENT otherwise, ENOTDIR for `file/`. */
function existing(nd: Nameidata): Inode {
  if (nd.inode === undefined) fail(Errno.ENOENT);
  if (nd.trailingSlash && nd.inode.type !== S.IFDIR) fail(Errno.ENOTDIR);
  return nd.inode;
}

// ---------------------------------------------------------------- open / close

function doOpen(k: Kernel, t: Task, dirfd: number, pathAddr: number, flags: number, mode: number): number {
  const nd = lookupAt(k, t, dirfd, pathAddr, (flags & O.NOFOLLOW) === 0);
  let inode = nd.inode;
  if (inode === undefined) {
    if ((flags & O.CREAT) === 0) fail(Errno.ENOENT);
    if (nd.trailingSlash) fail(Errno.EISDIR);
    inode = nd.parent.create(nd.last, mode & ~t.fs.umask & 0o7777);
  } else {
    if ((flags & (O.CREAT | O.EXCL)) === (O.CREAT | O.EXCL)) fail(Errno.EEXIST);
    if (inode.type === S.IFLNK && (flags & O.PATH) === 0) fail(Errno.ELOOP);
    if (nd.trailingSlash && inode.type !== S.IFDIR) fail(Errno.ENOTDIR);
  }
  if ((flags & O.DIRECTORY) !== 0 && inode.type !== S.IFDIR) fail(Errno.ENOTDIR);
  const acc = flags & O.ACCMODE;
  const writing = (flags & O.PATH) === 0 && (acc === O.WRONLY || acc === O.RDWR);
  if (writing && inode.type === S.IFDIR) fail(Errno.EISDIR);
  if (writing && inode.readOnly) fail(Errno.EROFS);
  if ((flags & O.TRUNC) !== 0 && writing && inode.type === S.IFREG) inode.truncate(0);
  const file = new File(inode, flags & ~(O.CREAT | O.EXCL | O.NOCTTY | O.TRUNC | O.CLOEXEC));
  return t.files.install(file, (flags & O.CLOEXEC) !== 0);
}

export const sys_open: SyscallFn = vfs((k, t, path, flags, mode) => doOpen(k, t, AT_FDCWD, path, flags, mode));
export const sys_openat: SyscallFn = vfs((k, t, dirfd, path, flags, mode) => doOpen(k, t, dirfd, path, flags, mode));
export const sys_creat: SyscallFn = vfs((k, t, path, mode) => doOpen(k, t, AT_FDCWD, path, O.CREAT | O.WRONLY | O.TRUNC, mode));

export const sys_close: SyscallFn = vfs((_k, t, fd) => {
  t.files.close(fd);
  return 0;
});

// ---------------------------------------------------------------- read / write

/** A would-block on an O_NONBLOCK file is EAGAIN instead of a sleep. */
function nonblocking<T>(file: File, op: () => T): T {
  try {
    return op();
  } catch (e) {
    if (e instanceof WouldBlock && (file.flags & O.NONBLOCK) !== 0) fail(Errno.EAGAIN);
    throw e;
  }
}

function readFile(file: File, pos: number, count: number): Uint8Array {
  if (!file.readable) fail(Errno.EBADF);
  return nonblocking(file, () => file.inode.read(pos, Math.min(count, MAX_RW)));
}

function writeFile(file: File, pos: number, data: Uint8Array): number {
  if (!file.writable) fail(Errno.EBADF);
  return nonblocking(file, () => file.inode.write(pos, data));
}

export const sys_read: SyscallFn = vfs((_k, t, fd, buf, count) => {
  const file = t.files.get(fd);
  if (count < 0) fail(Errno.EINVAL);
  const data = readFile(file, file.pos, count);
  if (data.length > 0 && !copyToUser(t, buf, data)) fail(Errno.EFAULT);
  if (file.inode.seekable) file.pos += data.length;
  return data.length;
});

export const sys_write: SyscallFn = vfs((_k, t, fd, buf, count) => {
  const file = t.files.get(fd);
  if (count < 0) fail(Errno.EINVAL);
  if (!file.writable) fail(Errno.EBADF);
  const n = Math.min(count, MAX_RW);
  if (n === 0) return 0;
  const data = copyFromUser(t, buf, n);
  if (data === null) fail(Errno.EFAULT);
  if ((file.flags & O.APPEND) !== 0 && file.inode.seekable) file.pos = file.inode.size();
  const written = writeFile(file, file.pos, data);
  if (file.inode.seekable) file.pos += written;
  return written;
});

function positional(file: File, offset: number): void {
  if (!file.inode.seekable || file.inode.type === S.IFDIR) fail(file.inode.type === S.IFDIR ? Errno.EISDIR : Errno.ESPIPE);
  if (offset < 0) fail(Errno.EINVAL);
}

export const sys_pread64: SyscallFn = vfs((_k, t, fd, buf, count, offset) => {
  const file = t.files.get(fd);
  positional(file, offset);
  if (count < 0) fail(Errno.EINVAL);
  const data = readFile(file, offset, count);
  if (data.length > 0 && !copyToUser(t, buf, data)) fail(Errno.EFAULT);
  return data.length;
});

export const sys_pwrite64: SyscallFn = vfs((_k, t, fd, buf, count, offset) => {
  const file = t.files.get(fd);
  positional(file, offset);
  if (count < 0) fail(Errno.EINVAL);
  if (count === 0) return 0;
  const data = copyFromUser(t, buf, Math.min(count, MAX_RW));
  if (data === null) fail(Errno.EFAULT);
  return writeFile(file, offset, data);
});

/** The iovec array: [base, len] pairs, checked as rw_copy_check_uvector does. */
function iovecs(t: Task, iov: number, iovcnt: number): [number, number][] {
  if (iovcnt < 0 || iovcnt > 1024) fail(Errno.EINVAL);
  const raw = copyFromUser(t, iov, iovcnt * 16);
  if (raw === null) fail(Errno.EFAULT);
  const view = new DataView(raw.buffer);
  const out: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const base = view.getUint32(i * 16, true) + view.getInt32(i * 16 + 4, true) * 4294967296;
    const len = view.getUint32(i * 16 + 8, true) + view.getInt32(i * 16 + 12, true) * 4294967296;
    if (len < 0 || total + len > MAX_RW) fail(Errno.EINVAL);
    total += len;
    out.push([base, len]);
  }
  return out;
}

export const sys_writev: SyscallFn = vfs((_k, t, fd, iov, iovcnt) => {
  const file = t.files.get(fd);
  if (!file.writable) fail(Errno.EBADF);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const [base, len] of iovecs(t, iov, iovcnt)) {
    if (len === 0) continue;
    const data = copyFromUser(t, base, len);
    if (data === null) {
      if (total > 0) break;
      fail(Errno.EFAULT);
    }
    parts.push(data);
    total += len;
  }
  if (total === 0) return 0;
  // one write of the gathered bytes: a stream sees the iovecs as one atomic write
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  if ((file.flags & O.APPEND) !== 0 && file.inode.seekable) file.pos = file.inode.size();
  const written = writeFile(file, file.pos, all);
  if (file.inode.seekable) file.pos += written;
  return written;
});

export const sys_readv: SyscallFn = vfs((_k, t, fd, iov, iovcnt) => {
  const file = t.files.get(fd);
  if (!file.readable) fail(Errno.EBADF);
  let total = 0;
  for (const [base, len] of iovecs(t, iov, iovcnt)) {
    if (len === 0) continue;
    const data = readFile(file, file.pos, len);
    if (data.length > 0 && !copyToUser(t, base, data)) {
      if (total > 0) break;
      fail(Errno.EFAULT);
    }
    if (file.inode.seekable) file.pos += data.length;
    total += data.length;
    if (data.length < len) break;
  }
  return total;
});

const SEEK_SET = 0;
const SEEK_CUR = 1;
const SEEK_END = 2;

export const sys_lseek: SyscallFn = vfs((_k, t, fd, offset, whence) => {
  const file = t.files.get(fd);
  if (!file.inode.seekable) fail(Errno.ESPIPE);
  let pos: number;
  if (whence === SEEK_SET) pos = offset;
  else if (whence === SEEK_CUR) pos = file.pos + offset;
  else if (whence === SEEK_END) pos = file.inode.size() + offset;
  else fail(Errno.EINVAL);
  if (pos < 0) fail(Errno.EINVAL);
  if (file.inode.type === S.IFDIR && pos === 0) file.listing = undefined;
  file.pos = pos;
  return pos;
});

// ---------------------------------------------------------------- stat

function statTo(t: Task, inode: Inode, buf: number): number {
  if (!copyToUser(t, buf, fillStat(inode.attributes()))) fail(Errno.EFAULT);
  return 0;
}

export const sys_stat: SyscallFn = vfs((k, t, path, buf) => statTo(t, existing(lookupAt(k, t, AT_FDCWD, path, true)), buf));
export const sys_lstat: SyscallFn = vfs((k, t, path, buf) => statTo(t, existing(lookupAt(k, t, AT_FDCWD, path, false)), buf));
export const sys_fstat: SyscallFn = vfs((_k, t, fd, buf) => statTo(t, t.files.get(fd).inode, buf));

export const sys_newfstatat: SyscallFn = vfs((k, t, dirfd, pathAddr, buf, flags) => {
  const path = userPath(t, pathAddr);
  if (path === '' && (flags & AT_EMPTY_PATH) !== 0) {
    return statTo(t, (dirfd | 0) === AT_FDCWD ? t.fs.cwd : t.files.get(dirfd).inode, buf);
  }
  const nd = pathLookup(k.ns.root, startDir(t, dirfd, path), path, (flags & AT_SYMLINK_NOFOLLOW) === 0);
  return statTo(t, existing(nd), buf);
});

/** struct statfs of a tmpfs (TMPFS_MAGIC), the same for every mount. */
function statfsTo(t: Task, buf: number): number {
  const st = new Uint8Array(120);
  const v = new DataView(st.buffer);
  v.setUint32(0, 0x01021994, true); // f_type TMPFS_MAGIC
  v.setUint32(8, 4096, true); // f_bsize
  v.setUint32(16, 65536, true); // f_blocks
  v.setUint32(24, 65536, true); // f_bfree
  v.setUint32(32, 65536, true); // f_bavail
  v.setUint32(40, 65536, true); // f_files
  v.setUint32(48, 65536, true); // f_ffree
  v.setUint32(64, 255, true); // f_namelen
  v.setUint32(72, 4096, true); // f_frsize
  if (!copyToUser(t, buf, st)) fail(Errno.EFAULT);
  return 0;
}

export const sys_statfs: SyscallFn = vfs((k, t, path, buf) => {
  existing(lookupAt(k, t, AT_FDCWD, path, true));
  return statfsTo(t, buf);
});
export const sys_fstatfs: SyscallFn = vfs((_k, t, fd, buf) => {
  t.files.get(fd);
  return statfsTo(t, buf);
});

const F_OK = 0;
const MAY_MASK = 7;

/** access: the guest runs as root; only a missing file, bad mode or a write to a read-only mount fail. */
function doAccess(k: Kernel, t: Task, dirfd: number, path: number, mode: number, flags: number): number {
  if ((mode & ~MAY_MASK) !== 0) fail(Errno.EINVAL);
  const inode = existing(lookupAt(k, t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0));
  if (mode !== F_OK && (mode & 2) !== 0 && inode.readOnly) fail(Errno.EROFS);
  if ((mode & 1) !== 0 && inode.type !== S.IFDIR && (inode.attributes().mode & 0o111) === 0) fail(Errno.EACCES);
  return 0;
}

export const sys_access: SyscallFn = vfs((k, t, path, mode) => doAccess(k, t, AT_FDCWD, path, mode, 0));
export const sys_faccessat: SyscallFn = vfs((k, t, dirfd, path, mode) => doAccess(k, t, dirfd, path, mode, 0));
export const sys_faccessat2: SyscallFn = vfs((k, t, dirfd, path, mode, flags) => doAccess(k, t, dirfd, path, mode, flags));

// ---------------------------------------------------------------- directories

/** getdents64: struct linux_dirent64 records (d_ino, d_off, d_reclen, d_type, name). */
export const sys_getdents64: SyscallFn = vfs((_k, t, fd, buf, count) => {
  const file = t.files.get(fd);
  const dir = file.inode;
  if (dir.type !== S.IFDIR) fail(Errno.ENOTDIR);
  file.listing ??= ['.', '..', ...dir.list()];
  const out = new Uint8Array(Math.max(0, Math.min(count, 1 << 20)));
  const view = new DataView(out.buffer);
  const enc = new TextEncoder();
  let used = 0;
  while (file.pos < file.listing.length) {
    const name = file.listing[file.pos]!;
    const child = name === '.' ? dir : name === '..' ? dir.parent : dir.lookup(name);
    if (child === undefined) {
      file.pos++; // removed since the listing was taken
      continue;
    }
    const bytes = enc.encode(name);
    const reclen = (19 + bytes.length + 1 + 7) & ~7;
    if (used + reclen > out.length) {
      if (used === 0) fail(Errno.EINVAL);
      break;
    }
    const ino = name === '.' || name === '..' ? child.attributes().ino : child.attributes().ino;
    view.setUint32(used, ino >>> 0, true);
    view.setUint32(used + 4, Math.floor(ino / 4294967296), true);
    view.setUint32(used + 8, file.pos + 1, true);
    view.setUint16(used + 16, reclen, true);
    out[used + 18] = (child.type >>> 12) & 0xf;
    out.set(bytes, used + 19);
    used += reclen;
    file.pos++;
  }
  if (used > 0 && !copyToUser(t, buf, out.subarray(0, used))) fail(Errno.EFAULT);
  return used;
});

function doMkdir(k: Kernel, t: Task, dirfd: number, path: number, mode: number): number {
  const nd = lookupAt(k, t, dirfd, path, false);
  if (nd.inode !== undefined) fail(Errno.EEXIST);
  nd.parent.mkdir(nd.last, mode & ~t.fs.umask & 0o7777);
  return 0;
}

export const sys_mkdir: SyscallFn = vfs((k, t, path, mode) => doMkdir(k, t, AT_FDCWD, path, mode));
export const sys_mkdirat: SyscallFn = vfs((k, t, dirfd, path, mode) => doMkdir(k, t, dirfd, path, mode));

function doUnlink(k: Kernel, t: Task, dirfd: number, path: number, flags: number): number {
  const nd = lookupAt(k, t, dirfd, path, false);
  const inode = existing(nd);
  if ((flags & AT_REMOVEDIR) !== 0) {
    if (nd.last === '.') fail(Errno.EINVAL);
    if (inode.type !== S.IFDIR) fail(Errno.ENOTDIR);
    if (inode === k.ns.root || inode.parent === inode) fail(Errno.EBUSY);
    nd.parent.rmdir(nd.last);
  } else {
    if (inode.type === S.IFDIR) fail(Errno.EISDIR);
    nd.parent.unlink(nd.last);
  }
  return 0;
}

export const sys_unlink: SyscallFn = vfs((k, t, path) => doUnlink(k, t, AT_FDCWD, path, 0));
export const sys_rmdir: SyscallFn = vfs((k, t, path) => doUnlink(k, t, AT_FDCWD, path, AT_REMOVEDIR));
export const sys_unlinkat: SyscallFn = vfs((k, t, dirfd, path, flags) => {
  if ((flags & ~AT_REMOVEDIR) !== 0) fail(Errno.EINVAL);
  return doUnlink(k, t, dirfd, path, flags);
});

function doRename(k: Kernel, t: Task, olddirfd: number, oldpath: number, newdirfd: number, newpath: number): number {
  const from = lookupAt(k, t, olddirfd, oldpath, false);
  existing(from);
  const to = lookupAt(k, t, newdirfd, newpath, false);
  if (from.last === '.' || to.last === '.') fail(Errno.EBUSY);
  from.parent.rename(from.last, to.parent, to.last);
  return 0;
}

export const sys_rename: SyscallFn = vfs((k, t, a, b) => doRename(k, t, AT_FDCWD, a, AT_FDCWD, b));
export const sys_renameat: SyscallFn = vfs((k, t, ad, a, bd, b) => doRename(k, t, ad, a, bd, b));
export const sys_renameat2: SyscallFn = vfs((k, t, ad, a, bd, b, flags) => {
  if (flags !== 0) fail(Errno.EINVAL);
  return doRename(k, t, ad, a, bd, b);
});

function doSymlink(k: Kernel, t: Task, target: number, dirfd: number, path: number): number {
  const text = userPath(t, target);
  if (text === '') fail(Errno.ENOENT);
  const nd = lookupAt(k, t, dirfd, path, false);
  if (nd.inode !== undefined) fail(Errno.EEXIST);
  nd.parent.symlink(nd.last, text);
  return 0;
}

export const sys_symlink: SyscallFn = vfs((k, t, target, path) => doSymlink(k, t, target, AT_FDCWD, path));
export const sys_symlinkat: SyscallFn = vfs((k, t, target, dirfd, path) => doSymlink(k, t, target, dirfd, path));

function doReadlink(k: Kernel, t: Task, dirfd: number, path: number, buf: number, size: number): number {
  if (size <= 0) fail(Errno.EINVAL);
  const inode = existing(lookupAt(k, t, dirfd, path, false));
  const target = new TextEncoder().encode(inode.readlink()).subarray(0, size);
  if (!copyToUser(t, buf, target)) fail(Errno.EFAULT);
  return target.length;
}

export const sys_readlink: SyscallFn = vfs((k, t, path, buf, size) => doReadlink(k, t, AT_FDCWD, path, buf, size));
export const sys_readlinkat: SyscallFn = vfs((k, t, dirfd, path, buf, size) => doReadlink(k, t, dirfd, path, buf, size));

export const sys_getcwd: SyscallFn = vfs((k, t, buf, size) => {
  const path = new TextEncoder().encode(`${pathOf(k.ns.root, t.fs.cwd)}\0`);
  if (size < path.length) fail(Errno.ERANGE);
  if (!copyToUser(t, buf, path)) fail(Errno.EFAULT);
  return path.length;
});

export const sys_chdir: SyscallFn = vfs((k, t, path) => {
  const inode = existing(lookupAt(k, t, AT_FDCWD, path, true));
  if (inode.type !== S.IFDIR) fail(Errno.ENOTDIR);
  t.fs.cwd = inode;
  return 0;
});

export const sys_fchdir: SyscallFn = vfs((_k, t, fd) => {
  const inode = t.files.get(fd).inode;
  if (inode.type !== S.IFDIR) fail(Errno.ENOTDIR);
  t.fs.cwd = inode;
  return 0;
});

export const sys_umask: SyscallFn = (_k, t, mask) => {
  const old = t.fs.umask;
  t.fs.umask = mask & 0o777;
  return old;
};

// ---------------------------------------------------------------- truncate, sync

export const sys_truncate: SyscallFn = vfs((k, t, path, length) => {
  if (length < 0) fail(Errno.EINVAL);
  const inode = existing(lookupAt(k, t, AT_FDCWD, path, true));
  if (inode.type === S.IFDIR) fail(Errno.EISDIR);
  inode.truncate(length);
  return 0;
});

export const sys_ftruncate: SyscallFn = vfs((_k, t, fd, length) => {
  const file = t.files.get(fd);
  if (length < 0 || !file.writable || file.inode.type !== S.IFREG) fail(Errno.EINVAL);
  file.inode.truncate(length);
  return 0;
});

/** fsync, fdatasync: the files live in memory or on the host; nothing to flush. */
export const sys_fsync: SyscallFn = vfs((_k, t, fd) => {
  t.files.get(fd);
  return 0;
});

// ---------------------------------------------------------------- descriptors

export const sys_dup: SyscallFn = vfs((_k, t, fd) => t.files.install(t.files.get(fd), false));

export const sys_dup2: SyscallFn = vfs((_k, t, oldfd, newfd) => {
  const file = t.files.get(oldfd);
  if ((oldfd | 0) === (newfd | 0)) return newfd | 0;
  t.files.replace(newfd, file, false);
  return newfd | 0;
});

export const sys_dup3: SyscallFn = vfs((_k, t, oldfd, newfd, flags) => {
  if ((oldfd | 0) === (newfd | 0) || (flags & ~O.CLOEXEC) !== 0) fail(Errno.EINVAL);
  t.files.replace(newfd, t.files.get(oldfd), (flags & O.CLOEXEC) !== 0);
  return newfd | 0;
});

const F_DUPFD = 0;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const F_DUPFD_CLOEXEC = 1030;
const FD_CLOEXEC = 1;
/** Status flags F_SETFL may change. */
const SETFL_MASK = O.APPEND | O.NONBLOCK;

export const sys_fcntl: SyscallFn = vfs((_k, t, fd, cmd, arg) => {
  const file = t.files.get(fd);
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      if (arg < 0) fail(Errno.EINVAL);
      return t.files.install(file, cmd === F_DUPFD_CLOEXEC, arg);
    case F_GETFD:
      return t.files.isCloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
      t.files.setCloexec(fd, (arg & FD_CLOEXEC) !== 0);
      return 0;
    case F_GETFL:
      return file.flags;
    case F_SETFL:
      file.flags = (file.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
      return 0;
    default:
      return fail(Errno.EINVAL);
  }
});

const TCGETS = 0x5401;
const TIOCGWINSZ = 0x5413;

/** No terminal is modeled: terminal ioctls fail with ENOTTY. */
export const sys_ioctl: SyscallFn = vfs((_k, t, fd, cmd) => {
  t.files.get(fd);
  if (cmd === TCGETS || cmd === TIOCGWINSZ) return -Errno.ENOTTY;
  return -Errno.ENOTTY;
});

/** sendfile: copies `count` bytes from in_fd (at *offset, or its position) to out_fd. */
export const sys_sendfile: SyscallFn = vfs((_k, t, outFd, inFd, offsetPtr, count) => {
  const out = t.files.get(outFd);
  const from = t.files.get(inFd);
  if (!out.writable || !from.readable) fail(Errno.EBADF);
  if (count < 0) fail(Errno.EINVAL);
  let pos = from.pos;
  if (offsetPtr !== 0) {
    const raw = copyFromUser(t, offsetPtr, 8);
    if (raw === null) fail(Errno.EFAULT);
    const v = new DataView(raw.buffer);
    pos = v.getUint32(0, true) + v.getInt32(4, true) * 4294967296;
    if (pos < 0) fail(Errno.EINVAL);
  }
  const data = from.inode.read(pos, Math.min(count, MAX_RW));
  const written = data.length > 0 ? writeFile(out, out.pos, data) : 0;
  if (out.inode.seekable) out.pos += written;
  pos += written;
  if (offsetPtr !== 0) {
    if (!putUser64(t, offsetPtr, pos >>> 0, Math.floor(pos / 4294967296))) fail(Errno.EFAULT);
  } else if (from.inode.seekable) {
    from.pos = pos;
  }
  return written;
});

/** pipe2(fds, flags): a read end and a write end, O_CLOEXEC and O_NONBLOCK honoured. */
function doPipe(t: Task, fdsAddr: number, flags: number): number {
  if ((flags & ~(O.CLOEXEC | O.NONBLOCK)) !== 0) fail(Errno.EINVAL);
  const pipe = new Pipe();
  const r = new File(pipe.read, O.RDONLY | (flags & O.NONBLOCK));
  const w = new File(pipe.write, O.WRONLY | (flags & O.NONBLOCK));
  pipe.read.opened();
  pipe.write.opened();
  const cloexec = (flags & O.CLOEXEC) !== 0;
  const rfd = t.files.install(r, cloexec);
  let wfd: number;
  try {
    wfd = t.files.install(w, cloexec);
  } catch (e) {
    t.files.close(rfd);
    throw e;
  }
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setInt32(0, rfd, true);
  v.setInt32(4, wfd, true);
  if (!copyToUser(t, fdsAddr, out)) {
    t.files.close(rfd);
    t.files.close(wfd);
    fail(Errno.EFAULT);
  }
  return 0;
}

export const sys_pipe: SyscallFn = vfs((_k, t, fds) => doPipe(t, fds, 0));
export const sys_pipe2: SyscallFn = vfs((_k, t, fds, flags) => doPipe(t, fds, flags));
