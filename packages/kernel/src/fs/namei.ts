import { Errno } from '../errno.js';
import { fail, type Inode, S } from './inode.js';

/** MAXSYMLINKS: symlinks followed in one lookup before ELOOP. */
const MAXSYMLINKS = 40;
/** NAME_MAX and PATH_MAX. */
const NAME_MAX = 255;
const PATH_MAX = 4096;

/** Where a walk ended: the final inode (absent when the last name does not exist) and its directory. */
export interface Nameidata {
  inode: Inode | undefined;
  /** The directory holding the last component (for create, unlink, rename). */
  parent: Inode;
  /** The last component (`.` for `/` and paths ending in `.` or `..`). */
  last: string;
  /** The path ended in `/`: the result must be a directory. */
  trailingSlash: boolean;
}

/** The root of whatever is mounted on `inode`, or `inode` itself. */
export function followMount(inode: Inode): Inode {
  let i = inode;
  while (i.mounted) i = i.mounted;
  return i;
}

/**
 * path_lookupat(): walks `path` from `root` (absolute paths) or `cwd`, a component at a
 * time, inside the guest's namespace: `..` stops at the root, mount points lead into the
 * mounted file system, and symlinks are resolved here (never by the host), so no path can
 * leave the namespace. The last component's symlink is followed when `follow` is set.
 */
export function pathLookup(root: Inode, cwd: Inode, path: string, follow: boolean): Nameidata {
  if (path.length === 0) fail(Errno.ENOENT);
  if (path.length >= PATH_MAX) fail(Errno.ENAMETOOLONG);
  const links = { left: MAXSYMLINKS };
  return walk(root, path.startsWith('/') ? root : cwd, path, follow, links);
}

function walk(root: Inode, start: Inode, path: string, follow: boolean, links: { left: number }): Nameidata {
  const names = path.split('/').filter((n) => n.length > 0);
  const trailingSlash = path.endsWith('/');
  let dir = followMount(start);
  if (names.length === 0) return { inode: dir, parent: dir.parent, last: '.', trailingSlash };
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const last = i === names.length - 1;
    if (dir.type !== S.IFDIR) fail(Errno.ENOTDIR);
    if (name === '.' || name === '..') {
      if (name === '..' && dir !== root) dir = followMount(dir.parent);
      if (last) return { inode: dir, parent: dir.parent, last: '.', trailingSlash };
      continue;
    }
    if (name.length > NAME_MAX) fail(Errno.ENAMETOOLONG);
    let child = dir.lookup(name);
    if (child === undefined) {
      if (last) return { inode: undefined, parent: dir, last: name, trailingSlash };
      fail(Errno.ENOENT);
    }
    child = followMount(child);
    if (child.type === S.IFLNK && (!last || follow || trailingSlash)) {
      if (--links.left < 0) fail(Errno.ELOOP);
      const magic = child.magicTarget();
      if (magic !== undefined) {
        if (last) return { inode: magic, parent: dir, last: name, trailingSlash };
        dir = magic;
        continue;
      }
      const target = child.readlink();
      const resolved = walk(root, target.startsWith('/') ? root : dir, target, true, links);
      if (resolved.inode === undefined) {
        // a dangling link: creating through it creates its target (open O_CREAT)
        if (last) return resolved;
        fail(Errno.ENOENT);
      }
      child = resolved.inode;
    }
    if (last) return { inode: child, parent: dir, last: name, trailingSlash };
    dir = child;
  }
  throw new Error('unreachable');
}

/** d_path(): the absolute guest path of `inode`, climbing its parents to `root`. */
export function pathOf(root: Inode, inode: Inode): string {
  const names: string[] = [];
  for (let i = inode; i !== root && i.parent !== i; i = i.parent) names.push(i.name);
  return `/${names.reverse().join('/')}`;
}
