import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { runCli } from '../src/index.js';
import { BUSYBOX, runNative } from './native.js';

// Debian's busybox-static: a real static glibc program, run natively and under legosim.
const input = new TextEncoder().encode(
  ['banana apple 3', 'cherry 42 x', 'alpha 7 a', 'a line with aaa 12', 'Zebra 0 z', ''].join('\n'),
);

describe.skipIf(!existsSync(BUSYBOX))('busybox applets give native-identical output', () => {
  test.each([
    [['echo', 'a', 'b', 'c']],
    [['printf', '%s %d %x %5.2f\\n', 'hi', '42', '255', '3.14159']],
    [['seq', '1', '1000']],
    [['expr', '6', '*', '7']],
    [['basename', '/a/b/c.txt', '.txt']],
    [['sha256sum']],
    [['md5sum']],
    [['wc']],
    [['sort']],
    [['tr', 'a-z', 'A-Z']],
    [['od', '-A', 'x', '-t', 'x1z']],
    [['awk', '{s+=$2} END {print s, s/3}']],
    [['sed', 's/a/b/g']],
  ])('busybox %j', async (args) => {
    const native = runNative(BUSYBOX, args, input);
    const lego = await runCli(['run', BUSYBOX, ...args], input);
    expect(lego.stdout).toBe(native.stdout);
    expect(lego.status).toBe(native.status);
  });
});
