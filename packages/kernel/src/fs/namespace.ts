import { devNull, devUrandom, devZero, HostStream } from './devices.js';
import { File, FilesStruct, O } from './file.js';
import { type HostFs, HostInode, type HostMount, type HostStat } from './hostfs.js';
import { FsError, type Inode } from './inode.js';
import { pathLookup } from './namei.js';
import { type Clock, TmpDir, TmpFile, TmpSymlink } from './tmpfs.js';

/** One `--mount HOST:GUEST[:ro]`. */
export interface MountSpec {
  host: string;
  guest: string;
  readOnly: boolean;
}

/** A mount that could not be made: the CLI reports it as a bad option. */
export class MountError extends Error {
  override readonly name = 'MountError';
}

/**
 * The guest's file namespace: a tmpfs root with /tmp, /dev (null, zero, urandom, the
 * standard streams), /proc/self/exe, and the host directories the user mounted. Nothing
 * else of the host is reachable.
 */
export class Namespace {
  readonly root: TmpDir;
  private readonly streams: HostStream[];
  private nextDev = 0x20;

  constructor(
    clock: Clock,
    host: { read(fd: number, max: number): Uint8Array; write(fd: number, data: Uint8Array): void },
    random: (n: number) => Uint8Array,
    executable: () => { path: string; inode: Inode | undefined },
  ) {
    const root = new TmpDir(0o755, undefined, '/', clock);
    this.root = root;
    root.mkdir('tmp', 0o1777);
    const dev = root.mkdir('dev', 0o755) as TmpDir;
    dev.add(devNull());
    dev.add(devZero());
    dev.add(devUrandom(random));
    this.streams = [new HostStream(0, host), new HostStream(1, host), new HostStream(2, host)];
    dev.symlink('stdin', '/proc/self/fd/0');
    dev.symlink('stdout', '/proc/self/fd/1');
    dev.symlink('stderr', '/proc/self/fd/2');
    const self = (root.mkdir('proc', 0o555) as TmpDir).mkdir('self', 0o555) as TmpDir;
    const fd = self.mkdir('fd', 0o500) as TmpDir;
    this.streams.forEach((s, i) => {
      s.name = String(i);
      fd.add(s);
    });
    self.add(new ExeLink(executable, self));
  }

  /** Mounts host directory `spec.host` (through `fs`) on guest path `spec.guest`. */
  mount(fs: HostFs, spec: MountSpec): void {
    if (!spec.guest.startsWith('/')) throw new MountError(`mount point ${spec.guest} is not an absolute path`);
    let dir: Inode = this.root;
    for (const name of spec.guest.split('/').filter((n) => n.length > 0 && n !== '.')) {
      if (name === '..') throw new MountError(`mount point ${spec.guest} contains ..`);
      const next = dir.lookup(name) ?? dir.mkdir(name, 0o755);
      if (!(next instanceof TmpDir)) throw new MountError(`cannot mount on ${spec.guest}: it is not a plain directory`);
      dir = next;
    }
    if (dir === this.root) throw new MountError('cannot mount on / (the guest root is a tmpfs)');
    let stat: HostStat;
    try {
      stat = fs.lstat(spec.host);
    } catch {
      throw new MountError(`cannot mount ${spec.host}: no such directory`);
    }
    if (stat.kind !== 'dir') throw new MountError(`cannot mount ${spec.host}: not a directory`);
    const mount: HostMount = { fs, root: spec.host, readOnly: spec.readOnly, dev: this.nextDev++ };
    dir.mounted = new HostInode(mount, spec.host, stat, dir.parent, dir.name);
  }

  /** The standard streams as open files: fd 0 read-only, 1 and 2 write-only. */
  stdFiles(): FilesStruct {
    const files = new FilesStruct();
    files.install(new File(this.streams[0]!, O.RDONLY), false);
    files.install(new File(this.streams[1]!, O.WRONLY), false);
    files.install(new File(this.streams[2]!, O.WRONLY), false);
    return files;
  }

  /** Resolves a path for kernel-internal use (tests, exec): the inode or undefined. */
  lookup(path: string): Inode | undefined {
    try {
      return pathLookup(this.root, this.root, path, true).inode;
    } catch (e) {
      if (e instanceof FsError) return undefined;
      throw e;
    }
  }
}

/**
 * /proc/self/exe: the current task's program, named as it was given (a host path for the
 * first program), and opened directly whether or not that path exists in the namespace
 * (busybox re-executes itself through it).
 */
class ExeLink extends TmpSymlink {
  constructor(private readonly exe: () => { path: string; inode: Inode | undefined }, parent: Inode) {
    super('', parent, 'exe');
  }
  override readlink(): string {
    return this.exe().path;
  }
  override magicTarget(): Inode | undefined {
    return this.exe().inode;
  }
  override size(): number {
    return 0;
  }
}


/** The first program's bytes as a read-only file outside the namespace (reached through /proc/self/exe). */
export function programFile(image: Uint8Array, root: Inode): Inode {
  const file = new TmpFile(0o755, root, 'exe', () => 0);
  file.write(0, image);
  file.readOnly = true;
  return file;
}
