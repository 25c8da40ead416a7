import { Errno } from '../errno.js';

/** File type bits of `st_mode` (include/uapi/linux/stat.h). */
export const enum S {
  IFMT = 0o170000,
  IFSOCK = 0o140000,
  IFLNK = 0o120000,
  IFREG = 0o100000,
  IFBLK = 0o060000,
  IFDIR = 0o040000,
  IFCHR = 0o020000,
  IFIFO = 0o010000,
}

/** `d_type` of a directory entry for each file type (DT_*). */
export function direntType(type: number): number {
  return (type >>> 12) & 0xf;
}

/** A VFS operation failed: the syscall returns -errno. */
export class FsError extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}

export function fail(errno: number): never {
  throw new FsError(errno);
}

/**
 * The operation must wait (an empty pipe, a child that has not exited): the task sleeps
 * until `ready()` holds, then its syscall runs again from the start (-ERESTARTSYS: a signal
 * handler may cut the wait short with EINTR).
 */
export class WouldBlock extends Error {
  constructor(readonly ready: () => boolean) {
    super('would block');
  }
}

let nextIno = 2;

/** The attributes stat reports. */
export interface InodeAttributes {
  ino: number;
  /** File type and permission bits. */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  /** Modification time in nanoseconds since the epoch. */
  mtimeNs: number;
  /** Device number (st_rdev) of a device file. */
  rdev: number;
  /** Device of the file system (st_dev): which mount it lives on. */
  dev: number;
  /** 512-byte blocks allocated (st_blocks); by default the size rounded up to 4 KiB pages. */
  blocks?: number;
}

/**
 * struct inode, with the operations of every kind of file in one class: each file system
 * overrides what its files support; the defaults give the errno Linux gives for a file
 * that lacks the operation (a directory operation on a file is ENOTDIR, and so on).
 * `parent` and `name` place the inode in the namespace (for `..` and getcwd).
 */
export abstract class Inode {
  readonly ino: number;
  parent: Inode;
  name: string;
  /** A file system mounted on this directory (the walk continues in its root). */
  mounted: Inode | undefined = undefined;
  /** On a read-only mount: every change is EROFS. */
  readOnly = false;

  constructor(
    /** S_IFREG, S_IFDIR, ... */
    readonly type: number,
    public mode: number,
    parent?: Inode,
    name = '/',
  ) {
    this.ino = nextIno++;
    this.parent = parent ?? this;
    this.name = name;
  }

  get isDir(): boolean {
    return this.type === S.IFDIR;
  }

  attributes(): InodeAttributes {
    return {
      ino: this.ino,
      mode: this.type | (this.mode & 0o7777),
      nlink: this.isDir ? 2 : 1,
      uid: 0,
      gid: 0,
      size: this.size(),
      mtimeNs: 0,
      rdev: 0,
      dev: 1,
    };
  }

  size(): number {
    return 0;
  }

  // ------------------------------------------------------------ files
  read(_pos: number, _len: number): Uint8Array {
    return fail(this.isDir ? Errno.EISDIR : Errno.EINVAL);
  }
  write(_pos: number, _data: Uint8Array): number {
    return fail(this.isDir ? Errno.EISDIR : Errno.EINVAL);
  }
  truncate(_length: number): void {
    fail(this.isDir ? Errno.EISDIR : Errno.EINVAL);
  }
  /** Whether the file has a position (lseek works): false for devices and streams. */
  get seekable(): boolean {
    return this.type === S.IFREG || this.type === S.IFDIR;
  }

  /** The last descriptor of an open file description of this inode was closed. */
  release(_file: unknown): void {}

  // ------------------------------------------------------------ symlinks
  readlink(): string {
    return fail(Errno.EINVAL);
  }
  /** A /proc "magic link" leads to an inode directly, not by walking its text (/proc/self/exe). */
  magicTarget(): Inode | undefined {
    return undefined;
  }

  // ------------------------------------------------------------ directories
  lookup(_name: string): Inode | undefined {
    return fail(Errno.ENOTDIR);
  }
  /** Entry names (without `.` and `..`), in the order getdents returns them. */
  list(): string[] {
    return fail(Errno.ENOTDIR);
  }
  create(_name: string, _mode: number): Inode {
    return fail(Errno.ENOTDIR);
  }
  mkdir(_name: string, _mode: number): Inode {
    return fail(Errno.ENOTDIR);
  }
  symlink(_name: string, _target: string): Inode {
    return fail(Errno.ENOTDIR);
  }
  unlink(_name: string): void {
    fail(Errno.ENOTDIR);
  }
  rmdir(_name: string): void {
    fail(Errno.ENOTDIR);
  }
  /** Moves entry `name` to `to` in directory `dir` (same file system). */
  rename(_name: string, _dir: Inode, _to: string): void {
    fail(Errno.ENOTDIR);
  }
}
