import { Errno, errnoOfCode } from '../errno.js';
import { FsError, fail, Inode, type InodeAttributes, S } from './inode.js';

/** What lstat of a host path reports. */
export interface HostStat {
  kind: 'file' | 'dir' | 'symlink' | 'other';
  /** Permission bits. */
  mode: number;
  size: number;
  mtimeNs: number;
  ino: number;
  nlink: number;
  uid: number;
  gid: number;
  /** 512-byte blocks the host allocated (du reads them). */
  blocks: number;
}

/**
 * The host's files, as `--mount HOST:GUEST[:ro]` exposes them (the CLI implements it with
 * Node's fs; a browser page could serve an in-memory tree). Every path the kernel passes is
 * the mount's host root joined with names the guest's walk already checked (no `/`, `.` or
 * `..`, and never through a symlink: symlinks are resolved in the guest's namespace), so a
 * guest cannot name a host file outside the mount. Failures throw an error whose `code` is
 * the host's errno name (`ENOENT`).
 */
export interface HostFs {
  lstat(path: string): HostStat;
  /** Entry names in the order the host's directory returns them. */
  readdir(path: string): string[];
  read(path: string, pos: number, len: number): Uint8Array;
  readlink(path: string): string;
  // for writable mounts
  write(path: string, pos: number, data: Uint8Array): number;
  create(path: string, mode: number): void;
  mkdir(path: string, mode: number): void;
  symlink(path: string, target: string): void;
  unlink(path: string): void;
  rmdir(path: string): void;
  rename(from: string, to: string): void;
  truncate(path: string, length: number): void;
}

/** Runs a host operation, turning its error into the guest's errno. */
function host<T>(op: () => T): T {
  try {
    return op();
  } catch (e) {
    if (e instanceof FsError) throw e;
    return fail(errnoOfCode((e as { code?: string }).code));
  }
}

/** A mounted host file system: its host root, read-only or not, and a device number. */
export interface HostMount {
  fs: HostFs;
  root: string;
  readOnly: boolean;
  dev: number;
}

function typeOf(kind: HostStat['kind']): number {
  return kind === 'dir' ? S.IFDIR : kind === 'symlink' ? S.IFLNK : kind === 'file' ? S.IFREG : S.IFIFO;
}

/** A file, directory or symlink of a host mount, named by its host path. */
export class HostInode extends Inode {
  private readonly children = new Map<string, HostInode>();

  constructor(
    private readonly mount: HostMount,
    readonly path: string,
    private stat: HostStat,
    parent: Inode | undefined,
    name: string,
  ) {
    super(typeOf(stat.kind), stat.mode, parent, name);
    this.readOnly = mount.readOnly;
  }

  override attributes(): InodeAttributes {
    this.stat = host(() => this.mount.fs.lstat(this.path));
    const s = this.stat;
    return {
      ino: s.ino,
      mode: typeOf(s.kind) | (s.mode & 0o7777),
      nlink: s.nlink,
      uid: s.uid,
      gid: s.gid,
      size: s.size,
      mtimeNs: s.mtimeNs,
      rdev: 0,
      dev: this.mount.dev,
      blocks: s.blocks,
    };
  }

  override size(): number {
    return this.attributes().size;
  }

  private change(): void {
    if (this.readOnly) fail(Errno.EROFS);
  }

  private child(name: string): string {
    return `${this.path}/${name}`;
  }

  override read(pos: number, len: number): Uint8Array {
    if (this.isDir) fail(Errno.EISDIR);
    return host(() => this.mount.fs.read(this.path, pos, len));
  }
  override write(pos: number, data: Uint8Array): number {
    this.change();
    if (this.isDir) fail(Errno.EISDIR);
    return host(() => this.mount.fs.write(this.path, pos, data));
  }
  override truncate(length: number): void {
    this.change();
    host(() => this.mount.fs.truncate(this.path, length));
  }
  override readlink(): string {
    if (this.type !== S.IFLNK) fail(Errno.EINVAL);
    return host(() => this.mount.fs.readlink(this.path));
  }

  override lookup(name: string): Inode | undefined {
    if (!this.isDir) fail(Errno.ENOTDIR);
    let stat: HostStat;
    try {
      stat = this.mount.fs.lstat(this.child(name));
    } catch (e) {
      const errno = errnoOfCode((e as { code?: string }).code);
      this.children.delete(name);
      if (errno === Errno.ENOENT || errno === Errno.ENOTDIR) return undefined;
      return fail(errno);
    }
    const cached = this.children.get(name);
    if (cached && cached.type === typeOf(stat.kind)) {
      cached.stat = stat;
      return cached;
    }
    const inode = new HostInode(this.mount, this.child(name), stat, this, name);
    this.children.set(name, inode);
    return inode;
  }
  override list(): string[] {
    if (!this.isDir) fail(Errno.ENOTDIR);
    return host(() => this.mount.fs.readdir(this.path));
  }
  override create(name: string, mode: number): Inode {
    this.change();
    host(() => this.mount.fs.create(this.child(name), mode));
    return this.lookup(name) ?? fail(Errno.ENOENT);
  }
  override mkdir(name: string, mode: number): Inode {
    this.change();
    host(() => this.mount.fs.mkdir(this.child(name), mode));
    return this.lookup(name) ?? fail(Errno.ENOENT);
  }
  override symlink(name: string, target: string): Inode {
    this.change();
    host(() => this.mount.fs.symlink(this.child(name), target));
    return this.lookup(name) ?? fail(Errno.ENOENT);
  }
  override unlink(name: string): void {
    this.change();
    host(() => this.mount.fs.unlink(this.child(name)));
    this.children.delete(name);
  }
  override rmdir(name: string): void {
    this.change();
    host(() => this.mount.fs.rmdir(this.child(name)));
    this.children.delete(name);
  }
  override rename(name: string, dir: Inode, to: string): void {
    this.change();
    if (!(dir instanceof HostInode) || dir.mount !== this.mount) fail(Errno.EXDEV);
    host(() => this.mount.fs.rename(this.child(name), `${dir.path}/${to}`));
    this.children.delete(name);
    dir.children.delete(to);
  }
}
