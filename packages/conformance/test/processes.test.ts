// Processes on the model: fork (clone), execve of programs in the guest's namespace, wait4,
// pipes and dup2, as busybox sh uses them for a pipeline, and as a C program uses them.
// The host is the oracle: the same commands natively print the same text.
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { runNative } from './native.js';

const BUSYBOX = '/bin/busybox';

describe.skipIf(!existsSync(BUSYBOX))('busybox sh', () => {
  const scripts = [
    'echo a b | tr a-z A-Z; seq 3 | wc -l; for i in 1 2 3; do echo $i; done | sort -r',
    'x=$(echo sub | tr a-z A-Z); echo "x=$x"; (echo in subshell; exit 3); echo "status $?"',
    'echo hello > /tmp/out.txt; echo again >> /tmp/out.txt; cat /tmp/out.txt | wc -l; false || echo "false: $?"',
    'seq 1 2000 | sort -rn | head -3; seq 1 5000 | md5sum',
  ];
  for (const script of scripts) {
    test(script, async () => {
      const native = runNative(BUSYBOX, ['sh', '-c', script]);
      const lego = await runCli(['run', BUSYBOX, 'sh', '-c', script]);
      expect(lego.stderr).toBe('');
      expect(lego.stdout).toBe(native.stdout);
      expect(lego.status).toBe(native.status);
    }, 60_000);
  }

  test('--strace names each task once there are several, as strace -f does', async () => {
    const lego = await runCli(['run', '--strace', BUSYBOX, 'sh', '-c', 'echo a | tr a A']);
    expect(lego.stdout).toBe('A\n');
    expect(lego.stderr).toMatch(/^\[pid 1\] clone\(flags=.*SIGCHLD.*\) = 2$/m);
    expect(lego.stderr).toMatch(/^\[pid 2\] write\(1, "a\\n", 2\) = 2$/m);
    expect(lego.stderr).toMatch(/^\[pid 3\] read\(0, "a\\n", \d+\) = 2$/m);
    expect(lego.stderr).toMatch(/^\[pid 1\] wait4\(-1, \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 0\}\], 0, NULL\) = [23]$/m);
    expect(lego.stderr.trimEnd().split('\n').at(-1)).toBe('[pid 1] +++ exited with 0 +++');
  });
});

describe.each(['musl', 'glibc'] as Libc[])('fork, pipe, execve and wait4 from C (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('procs.c prints what it prints natively', async () => {
    const prog = buildProbe('procs', libc);
    const native = runNative(prog, [prog]);
    const lego = await runCli(['run', prog, '/proc/self/exe']);
    expect(lego.stderr).toBe('');
    expect(lego.stdout).toBe(native.stdout);
    expect(lego.status).toBe(native.status);
  });
});
