// Processes on the model: fork (clone), execve of programs in the guest's namespace, wait4,
// pipes and dup2, as busybox sh uses them for a pipeline, and as a C program uses them.
// The host is the oracle: the same commands natively print the same text.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { BUSYBOX, expectShellLikeNative, runNative } from './native.js';

describe.skipIf(!existsSync(BUSYBOX))('busybox sh', () => {
  const scripts = [
    'echo a b | tr a-z A-Z; seq 3 | wc -l; for i in 1 2 3; do echo $i; done | sort -r',
    'x=$(echo sub | tr a-z A-Z); echo "x=$x"; (echo in subshell; exit 3); echo "status $?"',
    'echo hello > /tmp/out.txt; echo again >> /tmp/out.txt; cat /tmp/out.txt | wc -l; false || echo "false: $?"',
    'seq 1 2000 | sort -rn | head -3; seq 1 5000 | md5sum',
  ];
  for (const script of scripts) test(script, () => expectShellLikeNative(script), 60_000);

  test('a script file: pipes, subshells, redirections into /tmp, $? and a background job + wait', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legosim-script-'));
    try {
      writeFileSync(
        join(dir, 'script.sh'),
        [
          'echo "one two three" | tr " " "\\n" | sort | head -2',
          '(cd /tmp && echo "in a subshell: $(pwd)")',
          'seq 5 > /tmp/numbers; echo 6 >> /tmp/numbers; wc -l < /tmp/numbers',
          'grep -q 9 /tmp/numbers; echo "grep status $?"',
          '(sleep 0; echo "background job"; exit 4) & job=$!',
          'wait $job; echo "job status $?"',
          'echo done',
          '',
        ].join('\n'),
      );
      // natively the script reads /tmp as the host's; the guest's /tmp is its own tmpfs
      const native = runNative(BUSYBOX, ['sh', join(dir, 'script.sh')]);
      const lego = await runCli(['run', '--mount', `${dir}:/work:ro`, BUSYBOX, 'sh', '/work/script.sh']);
      expect(lego.stderr).toBe('');
      expect(lego.stdout).toBe(native.stdout);
      expect(lego.stdout).toContain('job status 4\n');
      expect(lego.status).toBe(native.status);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

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

  test.skipIf(!hasCompiler(libc))('forkexec.c (the process benchmark): 25 rounds of fork, execve of /proc/self/exe and waitpid', async () => {
    const prog = buildProbe('forkexec', libc);
    const native = runNative(prog, ['25']);
    expect(native.stdout).toBe('25 fork+exec+wait rounds, status sum 175\n');
    const lego = await runCli(['run', prog, '25']);
    expect(lego.stderr).toBe('');
    expect(lego.stdout).toBe(native.stdout);
    expect(lego.status).toBe(0);
  });
});
