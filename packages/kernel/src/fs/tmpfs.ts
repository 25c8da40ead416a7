import { Errno } from '../errno.js';
import { fail, Inode, type InodeAttributes, S } from './inode.js';

/** The clock tmpfs stamps modifications with: simulated time, so runs stay deterministic. */
export type Clock = () => number;

/** Checks that a change to a directory entry may happen here. */
function writable(dir: Inode): void {
  if (dir.readOnly) fail(Errno.EROFS);
}

/** A tmpfs regular file: its bytes in a growable array. */
export class TmpFile extends Inode {
  private data = new Uint8Array(0);
  private length = 0;
  mtimeNs: number;

  constructor(mode: number, parent: Inode, name: string, private readonly clock: Clock) {
    super(S.IFREG, mode, parent, name);
    this.mtimeNs = clock();
  }

  override size(): number {
    return this.length;
  }

  override attributes(): InodeAttributes {
    return { ...super.attributes(), mtimeNs: this.mtimeNs };
  }

  override read(pos: number, len: number): Uint8Array {
    if (pos >= this.length) return new Uint8Array(0);
    return this.data.slice(pos, Math.min(this.length, pos + len));
  }

  override write(pos: number, bytes: Uint8Array): number {
    if (this.readOnly) fail(Errno.EROFS);
    this.reserve(pos + bytes.length);
    this.data.set(bytes, pos);
    this.length = Math.max(this.length, pos + bytes.length);
    this.mtimeNs = this.clock();
    return bytes.length;
  }

  override truncate(length: number): void {
    if (this.readOnly) fail(Errno.EROFS);
    this.reserve(length);
    if (length < this.length) this.data.fill(0, length, this.length);
    this.length = length;
    this.mtimeNs = this.clock();
  }

  private reserve(size: number): void {
    if (size <= this.data.length) return;
    const grown = new Uint8Array(Math.max(size, this.data.length * 2, 256));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
}

export class TmpSymlink extends Inode {
  constructor(private readonly target: string, parent: Inode, name: string) {
    super(S.IFLNK, 0o777, parent, name);
  }
  override size(): number {
    return new TextEncoder().encode(this.target).length;
  }
  override readlink(): string {
    return this.target;
  }
}

/** A tmpfs directory: entries in creation order (what getdents returns). */
export class TmpDir extends Inode {
  private readonly entries = new Map<string, Inode>();
  mtimeNs: number;

  constructor(mode: number, parent: Inode | undefined, name: string, private readonly clock: Clock) {
    super(S.IFDIR, mode, parent, name);
    this.mtimeNs = clock();
  }

  override attributes(): InodeAttributes {
    let subdirs = 0;
    for (const e of this.entries.values()) if (e.isDir) subdirs++;
    return { ...super.attributes(), nlink: 2 + subdirs, size: 4096, mtimeNs: this.mtimeNs };
  }

  override lookup(name: string): Inode | undefined {
    return this.entries.get(name);
  }

  override list(): string[] {
    return [...this.entries.keys()];
  }

  /** Adds an inode made elsewhere (a device file, a mount point's inode). */
  add(inode: Inode): Inode {
    inode.parent = this;
    this.entries.set(inode.name, inode);
    this.mtimeNs = this.clock();
    return inode;
  }

  private fresh(name: string): void {
    writable(this);
    if (this.entries.has(name)) fail(Errno.EEXIST);
  }

  override create(name: string, mode: number): Inode {
    this.fresh(name);
    return this.add(new TmpFile(mode, this, name, this.clock));
  }

  override mkdir(name: string, mode: number): Inode {
    this.fresh(name);
    return this.add(new TmpDir(mode, this, name, this.clock));
  }

  override symlink(name: string, target: string): Inode {
    this.fresh(name);
    return this.add(new TmpSymlink(target, this, name));
  }

  override unlink(name: string): void {
    writable(this);
    const e = this.entries.get(name);
    if (!e) fail(Errno.ENOENT);
    if (e.isDir) fail(Errno.EISDIR);
    this.entries.delete(name);
    this.mtimeNs = this.clock();
  }

  override rmdir(name: string): void {
    writable(this);
    const e = this.entries.get(name);
    if (!e) fail(Errno.ENOENT);
    if (!e.isDir) fail(Errno.ENOTDIR);
    if (e.mounted) fail(Errno.EBUSY);
    if (e.list().length > 0) fail(Errno.ENOTEMPTY);
    this.entries.delete(name);
    this.mtimeNs = this.clock();
  }

  override rename(name: string, dir: Inode, to: string): void {
    writable(this);
    if (!(dir instanceof TmpDir)) fail(Errno.EXDEV);
    writable(dir);
    const e = this.entries.get(name);
    if (!e) fail(Errno.ENOENT);
    // a directory cannot move into itself
    for (let d: Inode = dir; ; d = d.parent) {
      if (d === e) fail(Errno.EINVAL);
      if (d.parent === d) break;
    }
    const old = dir.entries.get(to);
    if (old === e) return;
    if (old) {
      if (old.isDir && !e.isDir) fail(Errno.EISDIR);
      if (!old.isDir && e.isDir) fail(Errno.ENOTDIR);
      if (old.isDir && old.list().length > 0) fail(Errno.ENOTEMPTY);
    }
    this.entries.delete(name);
    e.name = to;
    dir.add(e);
    this.mtimeNs = this.clock();
  }
}
