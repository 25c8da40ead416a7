// The guest's files: the tmpfs namespace and host directories behind --mount.
//  - files.c exercises the file syscalls in a scratch directory: natively in a fresh host
//    directory, under legosim in the guest's /tmp; both print the same text.
//  - busybox's file applets on a read-only mounted directory print what they print natively
//    on the same directory (ls without its date columns: the guest's clock is simulated).
//  - sandbox.c, with only `--mount DIR:/work:ro`, reaches nothing of the host outside DIR
//    whatever the path or the symlinks in DIR, and cannot change DIR.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { BUSYBOX, runNative } from './native.js';

const scratch = mkdtempSync(join(tmpdir(), 'legosim-vfs-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe.each(['musl', 'glibc'] as Libc[])('file syscalls on tmpfs (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('files.c prints what it prints natively', async () => {
    const prog = buildProbe('files', libc);
    const dir = mkdtempSync(join(scratch, `files-${libc}-`));
    const native = runNative(prog, [dir]);
    expect(native.status).toBe(0);
    const lego = await runCli(['run', prog, '/tmp']);
    expect(lego.stderr).toBe('');
    expect(lego.status).toBe(0);
    expect(lego.stdout).toBe(native.stdout);
    expect(lego.stdout).toMatch(/^through link \[Jello, fi\]$/m);
  });
});

/** A small tree with text, a subdirectory, a symlink and two files that differ. */
function fixture(): string {
  const dir = join(scratch, 'tree');
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'a.txt'), 'alpha\nbeta\ngamma\n');
  writeFileSync(join(dir, 'b.txt'), 'alpha\nbeta\ndelta\n');
  writeFileSync(join(dir, 'sub', 'numbers'), Array.from({ length: 300 }, (_, i) => `${i * 7}\n`).join(''));
  writeFileSync(join(dir, 'sub', 'deeper', 'note'), 'a note about beta\n');
  symlinkSync('a.txt', join(dir, 'link'));
  return dir;
}

describe.skipIf(!existsSync(BUSYBOX))('busybox on a read-only mount', () => {
  const dir = fixture();
  const commands: string[][] = [
    ['cat', '/work/a.txt', '/work/link'],
    ['head', '-n', '5', '/work/sub/numbers'],
    ['tail', '-n', '3', '/work/sub/numbers'],
    ['wc', '/work/a.txt', '/work/sub/numbers'],
    ['find', '/work'],
    ['grep', '-r', 'beta', '/work'],
    ['du', '-a', '/work'],
    ['cmp', '/work/a.txt', '/work/b.txt'],
    ['diff', '/work/a.txt', '/work/b.txt'],
    ['ls', '-1', '/work', '/work/sub'],
    ['ls', '-ln', '/work'],
  ];
  // ls -l shows dates: the guest's clock is simulated, so the date columns are left out
  const undate = (s: string): string => s.replace(/ [A-Z][a-z]{2} [ 0-9]\d ( \d{4}|\d\d:\d\d) /g, ' DATE ');
  // ls -l names owners from /etc/passwd and /etc/group: the guest sees them only when mounted too
  test('busybox ls -l /work, with /etc mounted read-only for the owner names', async () => {
    const native = runNative(BUSYBOX, ['ls', '-l', dir]);
    const lego = await runCli(['run', '--mount', `${dir}:/work:ro`, '--mount', '/etc:/etc:ro', BUSYBOX, 'ls', '-l', '/work']);
    expect(lego.status).toBe(native.status);
    expect(undate(lego.stdout)).toBe(undate(native.stdout));
    expect(lego.stdout).toMatch(/^-rw-r--r-- +1 \S+ +\S+ +\d+ .* a\.txt$/m);
  });
  for (const argv of commands) {
    test(`busybox ${argv.join(' ')}`, async () => {
      const native = runNative(BUSYBOX, argv.map((a) => a.replace('/work', dir)));
      const lego = await runCli(['run', '--mount', `${dir}:/work:ro`, BUSYBOX, ...argv]);
      expect(lego.status).toBe(native.status);
      expect(undate(lego.stdout)).toBe(undate(native.stdout.replaceAll(dir, '/work')));
    });
  }
});

describe.skipIf(!hasCompiler('glibc'))('the sandbox', () => {
  test('only the mount is visible, read-only; /tmp is writable', async () => {
    const dir = join(scratch, 'sandbox');
    mkdirSync(dir);
    writeFileSync(join(dir, 'inside.txt'), 'inside\n');
    symlinkSync('/etc/passwd', join(dir, 'escape'));
    symlinkSync('../../../../..', join(dir, 'up'));
    const lego = await runCli(['run', '--mount', `${dir}:/work:ro`, buildProbe('sandbox', 'glibc')]);
    expect(lego.status).toBe(0);
    expect(lego.stdout).toBe(
      [
        'open /etc/passwd: ENOENT',
        'open /work/../etc/passwd: ENOENT',
        'open /work/../../../../etc/passwd: ENOENT',
        'open /work/escape: ENOENT',
        'open /work/up/etc/passwd: ENOENT',
        'open /work/inside.txt: ok',
        '  read 7 bytes',
        'open /work/new.txt for writing: EROFS',
        'open /work/inside.txt for writing: EROFS',
        'symlink in /work: EROFS',
        'mkdir in /work: EROFS',
        'unlink in /work: EROFS',
        'rename in /work: EROFS',
        'write /tmp: ok',
        'cwd after climbing: /',
        '',
      ].join('\n'),
    );
    expect(existsSync(join(dir, 'new.txt'))).toBe(false);
    expect(existsSync(join(dir, 's'))).toBe(false);
    expect(existsSync(join(dir, 'inside.txt'))).toBe(true);
  });

  test('a bad --mount is one clear line and exit 125', async () => {
    const r = await runCli(['run', '--mount', `${join(scratch, 'missing')}:/work`, '/bin/true']);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/^legosim: --mount .*missing:\/work: .* does not exist\n$/);
    const bad = await runCli(['run', '--mount', 'relative', '/bin/true']);
    expect(bad.status).toBe(125);
    expect(bad.stderr).toMatch(/expected HOST:GUEST\[:ro\]/);
  });
});
