// `legosim trace FILE --format strace` prints, from the recorded trace alone, exactly the text
// `legosim run --strace` printed while the program ran: the trace keeps each call's strace
// line (formatted by the kernel when the call returned, output buffers included).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { BUSYBOX } from './native.js';

const dir = mkdtempSync(join(tmpdir(), 'legosim-trace-strace-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function expectSameStrace(name: string, argv: string[], stdin?: Uint8Array): Promise<string> {
  const file = join(dir, `${name}.lgstrace`);
  const run = await runCli(['run', '--strace', '--trace', file, ...argv], stdin);
  const exported = await runCli(['trace', file, '--format', 'strace']);
  expect(exported.stderr).toBe('');
  expect(exported.status).toBe(0);
  expect(exported.stdout.split('\n').length).toBeGreaterThan(3);
  expect(exported.stdout).toBe(run.stderr);
  return exported.stdout;
}

describe('strace export of a recorded run equals run --strace', () => {
  for (const libc of ['musl', 'glibc'] as Libc[]) {
    test.skipIf(!hasCompiler(libc))(`hello (${libc})`, async () => {
      const text = await expectSameStrace(`hello-${libc}`, [buildProbe('hello', libc), 'strace']);
      expect(text).toMatch(/^exit_group\(3\) += \?$/m);
      expect(text).toMatch(/^write(v\(1, \[\{iov_base=|\(1, )"hello, world! argc=2 strace/m);
    });
  }

  test.skipIf(!existsSync(BUSYBOX))('busybox echo and busybox sha256sum reading stdin', async () => {
    const echo = await expectSameStrace('echo', [BUSYBOX, 'echo', 'hi']);
    expect(echo).toMatch(/^write\(1, "hi\\n", 3\) += 3$/m);
    const input = new TextEncoder().encode('strace export\n'.repeat(500));
    const sum = await expectSameStrace('sha256sum', [BUSYBOX, 'sha256sum'], input);
    expect(sum).toMatch(/^read\(0, "strace export\\nstrace export\\nstra"\.\.\., 4096\) += 4096$/m);
  });
});
