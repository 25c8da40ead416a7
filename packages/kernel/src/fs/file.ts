import { Errno } from '../errno.js';
import { fail, type Inode } from './inode.js';

/** open(2) flags (include/uapi/asm-generic/fcntl.h, x86-64). */
export const enum O {
  ACCMODE = 3,
  RDONLY = 0,
  WRONLY = 1,
  RDWR = 2,
  CREAT = 0o100,
  EXCL = 0o200,
  NOCTTY = 0o400,
  TRUNC = 0o1000,
  APPEND = 0o2000,
  NONBLOCK = 0o4000,
  DIRECTORY = 0o200000,
  NOFOLLOW = 0o400000,
  CLOEXEC = 0o2000000,
  PATH = 0o10000000,
}

/** struct file: an open file description, shared by dup'ed descriptors. */
export class File {
  pos = 0;
  /** Descriptors (in any task) referring to this description; the last close releases it. */
  refs = 0;
  /** getdents: the directory listing taken at the first call, and how far it was read. */
  listing: string[] | undefined = undefined;

  constructor(
    readonly inode: Inode,
    /** Status flags (O_APPEND, O_NONBLOCK) and the access mode. */
    public flags: number,
  ) {}

  /** One more descriptor refers to it. */
  get(): File {
    this.refs++;
    return this;
  }

  /** A descriptor went away; the last one tells the inode (a pipe end closes). */
  put(): void {
    if (--this.refs === 0) this.inode.release(this);
  }

  get readable(): boolean {
    return (this.flags & O.PATH) === 0 && (this.flags & O.ACCMODE) !== O.WRONLY;
  }

  get writable(): boolean {
    return (this.flags & O.PATH) === 0 && (this.flags & O.ACCMODE) !== O.RDONLY;
  }
}

/** RLIMIT_NOFILE's default soft limit. */
export const NR_OPEN_DEFAULT = 1024;

/** struct files_struct: a task's descriptor table, with close-on-exec bits. */
export class FilesStruct {
  private readonly fds: (File | undefined)[] = [];
  private readonly cloexec: boolean[] = [];

  // Descriptors are C ints: the upper half of the 64-bit register is ignored, as in Linux.
  get(fd: number): File {
    fd |= 0;
    const f = fd >= 0 ? this.fds[fd] : undefined;
    if (f === undefined) fail(Errno.EBADF);
    return f;
  }

  has(fd: number): boolean {
    fd |= 0;
    return fd >= 0 && this.fds[fd] !== undefined;
  }

  /** get_unused_fd_flags + fd_install: the lowest free descriptor at or above `from`. */
  install(file: File, cloexec: boolean, from = 0): number {
    let fd = from;
    while (this.fds[fd] !== undefined) fd++;
    if (fd >= NR_OPEN_DEFAULT) fail(Errno.EMFILE);
    this.fds[fd] = file.get();
    this.cloexec[fd] = cloexec;
    return fd;
  }

  /** dup2's replace: `fd` now refers to `file` (closing what it held). */
  replace(fd: number, file: File, cloexec: boolean): void {
    fd |= 0;
    if (fd < 0 || fd >= NR_OPEN_DEFAULT) fail(Errno.EBADF);
    const old = this.fds[fd];
    this.fds[fd] = file.get();
    this.cloexec[fd] = cloexec;
    old?.put();
  }

  close(fd: number): void {
    fd |= 0;
    const file = this.get(fd);
    this.fds[fd] = undefined;
    this.cloexec[fd] = false;
    file.put();
  }

  /** dup_fd(): the child's table after fork, sharing every open file description. */
  fork(): FilesStruct {
    const copy = new FilesStruct();
    this.fds.forEach((f, fd) => {
      if (f === undefined) return;
      copy.fds[fd] = f.get();
      copy.cloexec[fd] = this.cloexec[fd] === true;
    });
    return copy;
  }

  /** do_close_on_exec(). */
  closeOnExec(): void {
    this.fds.forEach((f, fd) => {
      if (f !== undefined && this.cloexec[fd]) this.close(fd);
    });
  }

  /** exit_files(): every descriptor closed. */
  closeAll(): void {
    this.fds.forEach((f, fd) => {
      if (f !== undefined) this.close(fd);
    });
  }

  isCloexec(fd: number): boolean {
    fd |= 0;
    this.get(fd);
    return this.cloexec[fd] === true;
  }

  setCloexec(fd: number, on: boolean): void {
    fd |= 0;
    this.get(fd);
    this.cloexec[fd] = on;
  }
}
