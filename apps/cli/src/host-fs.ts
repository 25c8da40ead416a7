import {
  closeSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  opendirSync,
  readlinkSync,
  readSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  writeSync,
  constants,
} from 'node:fs';
import type { HostFs, HostStat } from '@legosim/kernel';

/**
 * The host side of `--mount HOST:GUEST[:ro]` on Node. The kernel resolves every guest path
 * in the guest's namespace and hands this object only paths inside a mount, built from
 * checked names and never through a symlink; opens still use O_NOFOLLOW so a symlink swapped
 * in behind the kernel's back is refused rather than followed.
 */
export const nodeHostFs: HostFs = {
  lstat(path): HostStat {
    const s = lstatSync(path, { bigint: true });
    const kind = s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : s.isFile() ? 'file' : 'other';
    return {
      kind,
      mode: Number(s.mode & 0o7777n),
      size: Number(s.size),
      mtimeNs: Number(s.mtimeNs),
      ino: Number(s.ino),
      nlink: Number(s.nlink),
      uid: Number(s.uid),
      gid: Number(s.gid),
      blocks: Number(s.blocks),
    };
  },
  readdir(path) {
    // opendir/readSync, not readdirSync: the host's own order, as getdents gives it natively
    const dir = opendirSync(path);
    const names: string[] = [];
    try {
      for (let e = dir.readSync(); e !== null; e = dir.readSync()) names.push(e.name);
    } finally {
      dir.closeSync();
    }
    return names;
  },
  read(path, pos, len) {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const buf = Buffer.alloc(Math.min(len, 1 << 24));
      const n = readSync(fd, buf, 0, buf.length, pos);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  },
  readlink: (path) => readlinkSync(path, 'utf8'),
  write(path, pos, data) {
    const fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
    try {
      return writeSync(fd, data, 0, data.length, pos);
    } finally {
      closeSync(fd);
    }
  },
  create(path, mode) {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode));
  },
  mkdir: (path, mode) => mkdirSync(path, { mode }),
  symlink: (path, target) => symlinkSync(target, path),
  unlink: (path) => unlinkSync(path),
  rmdir: (path) => rmdirSync(path),
  rename: (from, to) => renameSync(from, to),
  truncate(path, length) {
    const fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
    try {
      ftruncateSync(fd, length);
    } finally {
      closeSync(fd);
    }
  },
};
