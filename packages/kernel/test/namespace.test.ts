// The guest namespace without Node: a host file system given as an in-memory object (as a
// browser page would), mounted read-only, walked with `..`, symlinks and mount crossings.
import { describe, expect, it } from 'vitest';
import type { HostFs, HostStat } from '../src/fs/hostfs.ts';
import { FsError } from '../src/fs/inode.ts';
import { pathLookup, pathOf } from '../src/fs/namei.ts';
import { Namespace } from '../src/fs/namespace.ts';

/** A host tree: paths to file contents, directories (null) and symlinks ({ link }). */
function memoryHost(tree: Record<string, string | null | { link: string }>): HostFs & { asked: string[] } {
  const asked: string[] = [];
  const enoent = (): never => {
    throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
  };
  const stat = (path: string): HostStat => {
    asked.push(path);
    const v = tree[path];
    if (v === undefined) return enoent();
    const kind = v === null ? 'dir' : typeof v === 'string' ? 'file' : 'symlink';
    return { kind, mode: 0o644, size: typeof v === 'string' ? v.length : 0, mtimeNs: 0, ino: 7, nlink: 1, uid: 0, gid: 0, blocks: 0 };
  };
  const refuse = (): never => {
    throw Object.assign(new Error('read-only'), { code: 'EROFS' });
  };
  return {
    asked,
    lstat: stat,
    readdir: (path) => Object.keys(tree).filter((p) => p.startsWith(`${path}/`) && !p.slice(path.length + 1).includes('/')).map((p) => p.slice(path.length + 1)),
    read: (path, pos, len) => new TextEncoder().encode((tree[path] as string).slice(pos, pos + len)),
    readlink: (path) => (tree[path] as { link: string }).link,
    write: refuse,
    create: refuse,
    mkdir: refuse,
    symlink: refuse,
    unlink: refuse,
    rmdir: refuse,
    rename: refuse,
    truncate: refuse,
  };
}

function namespace(host: HostFs): Namespace {
  const ns = new Namespace(() => 0, { read: () => new Uint8Array(0), write: () => {} }, (n) => new Uint8Array(n), () => ({ path: '/bin/prog', inode: undefined }));
  ns.mount(host, { host: '/srv/data', guest: '/mnt/data', readOnly: true });
  return ns;
}

const errno = (f: () => unknown): number => {
  try {
    f();
  } catch (e) {
    if (e instanceof FsError) return e.errno;
    throw e;
  }
  return 0;
};

describe('the guest namespace', () => {
  const host = memoryHost({
    '/srv/data': null,
    '/srv/data/a.txt': 'alpha',
    '/srv/data/sub': null,
    '/srv/data/sub/b': 'beta',
    '/srv/data/out': { link: '/etc/passwd' },
    '/srv/data/up': { link: '../../..' },
  });
  const ns = namespace(host);
  const walk = (path: string, from = ns.root) => pathLookup(ns.root, from, path, true);

  it('has a tmpfs root with /tmp, /dev and /proc/self/exe', () => {
    expect(ns.root.list()).toEqual(['tmp', 'dev', 'proc', 'mnt']);
    expect(walk('/dev/null').inode?.name).toBe('null');
    expect(errno(() => walk('/proc/self/exe'))).toBe(2); // the link names a host path the guest cannot see
    expect(pathLookup(ns.root, ns.root, '/proc/self/exe', false).inode?.readlink()).toBe('/bin/prog');
  });

  it('reads mounted files through the host interface, and lists directories', () => {
    const a = walk('/mnt/data/a.txt').inode!;
    expect(new TextDecoder().decode(a.read(1, 3))).toBe('lph');
    expect(walk('/mnt/data').inode!.list()).toEqual(['a.txt', 'sub', 'out', 'up']);
    expect(pathOf(ns.root, walk('/mnt/data/sub').inode!)).toBe('/mnt/data/sub');
  });

  it('keeps `..` and symlinks inside the guest namespace', () => {
    expect(walk('/mnt/data/../../..').inode).toBe(ns.root);
    expect(pathOf(ns.root, walk('/mnt/data/sub/..').inode!)).toBe('/mnt/data');
    expect(errno(() => walk('/mnt/data/out/x'))).toBe(2); // /etc/passwd of the guest: none
    expect(walk('/mnt/data/up').inode).toBe(ns.root);
    // the host was never asked about anything outside the mount
    for (const p of host.asked) expect(p.startsWith('/srv/data')).toBe(true);
  });

  it('refuses changes on the read-only mount with EROFS, and allows them in /tmp', () => {
    const data = walk('/mnt/data').inode!;
    expect(errno(() => data.create('new', 0o644))).toBe(30);
    expect(errno(() => walk('/mnt/data/a.txt').inode!.write(0, new Uint8Array(1)))).toBe(30);
    const tmp = walk('/tmp').inode!;
    const f = tmp.create('f', 0o644);
    f.write(0, new TextEncoder().encode('hi'));
    expect(walk('/tmp/f').inode!.size()).toBe(2);
  });

  it('fails with the errno Linux gives', () => {
    expect(errno(() => walk('/mnt/data/a.txt/x'))).toBe(20); // ENOTDIR
    expect(errno(() => walk('/nope/x'))).toBe(2); // ENOENT
    const tmp = walk('/tmp').inode!;
    tmp.symlink('loop', '/tmp/loop');
    expect(errno(() => walk('/tmp/loop'))).toBe(40); // ELOOP
    expect(errno(() => walk(`/${'x'.repeat(256)}`))).toBe(36); // ENAMETOOLONG
  });
});
