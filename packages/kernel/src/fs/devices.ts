import { Errno } from '../errno.js';
import { fail, Inode, type InodeAttributes, S } from './inode.js';

/** makedev(major, minor) as st_rdev holds it (the small-number encoding). */
function makedev(major: number, minor: number): number {
  return (major << 8) | minor;
}

/** A character device: reads and writes go to functions; no position. */
export class CharDevice extends Inode {
  constructor(
    name: string,
    private readonly rdev: number,
    private readonly onRead: (len: number) => Uint8Array,
    private readonly onWrite: (data: Uint8Array) => number,
  ) {
    super(S.IFCHR, 0o666, undefined, name);
  }
  override attributes(): InodeAttributes {
    return { ...super.attributes(), rdev: this.rdev, dev: 5 };
  }
  override read(_pos: number, len: number): Uint8Array {
    return this.onRead(len);
  }
  override write(_pos: number, data: Uint8Array): number {
    return this.onWrite(data);
  }
  override truncate(): void {}
}

/** /dev/null (1,3): reads end at once, writes vanish. */
export function devNull(): CharDevice {
  return new CharDevice('null', makedev(1, 3), () => new Uint8Array(0), (d) => d.length);
}

/** /dev/zero (1,5). */
export function devZero(): CharDevice {
  return new CharDevice('zero', makedev(1, 5), (len) => new Uint8Array(Math.min(len, 1 << 20)), (d) => d.length);
}

/** /dev/urandom (1,9): the machine's seeded generator, so runs are reproducible. */
export function devUrandom(random: (n: number) => Uint8Array): CharDevice {
  return new CharDevice('urandom', makedev(1, 9), (len) => random(Math.min(len, 1 << 20)), (d) => d.length);
}

/**
 * The guest's standard streams: the host's stdin, stdout and stderr. They look like pipes to
 * the guest (S_IFIFO, 0600), as they do to a program whose streams a shell redirected.
 */
export class HostStream extends Inode {
  constructor(
    readonly fd: 0 | 1 | 2,
    private readonly host: { read(fd: number, max: number): Uint8Array; write(fd: number, data: Uint8Array): void },
  ) {
    super(S.IFIFO, 0o600, undefined, `stream${fd}`);
  }
  override attributes(): InodeAttributes {
    return { ...super.attributes(), ino: 1000 + this.fd, dev: 0xc };
  }
  override read(_pos: number, len: number): Uint8Array {
    if (this.fd !== 0) fail(Errno.EBADF);
    return this.host.read(0, len);
  }
  override write(_pos: number, data: Uint8Array): number {
    if (this.fd === 0) fail(Errno.EBADF);
    if (data.length > 0) this.host.write(this.fd, data);
    return data.length;
  }
}
