// POSIX signals on the model: handlers and their frames, masks, ITIMER_REAL on simulated
// time, syscall restart, SIGCHLD and children killed by signals. The host is the oracle:
// the probe prints the same lines natively, and busybox's `wait` behaves the same.
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { BUSYBOX, expectSameLines, expectShellLikeNative, runNative } from './native.js';

describe.each(['musl', 'glibc'] as Libc[])('signals.c (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))(
    'prints what it prints natively, and dies of its last SIGTERM',
    async () => {
      const prog = buildProbe('signals', libc);
      const native = runNative(prog);
      const lego = await runCli(['run', prog]);
      expectSameLines(native.stdout, lego.stdout);
      expect(native.status).toBe(128 + 15);
      expect(lego.status).toBe(native.status);
    },
    120_000,
  );

  test.skipIf(!hasCompiler(libc))(
    '--strace shows handled signals as strace does',
    async () => {
      const prog = buildProbe('signals', libc);
      const lego = await runCli(['run', '--strace', prog]);
      expect(lego.stderr).toMatch(
        /^--- SIGSEGV \{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL\} ---$/m,
      );
      expect(lego.stderr).toMatch(
        /^\[pid 1\] --- SIGCHLD \{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=\d+, si_uid=0, si_status=7, si_utime=0, si_stime=0\} ---$/m,
      );
      expect(lego.stderr).toMatch(
        /^\[pid 1\] rt_sigreturn\(\{mask=\[\]\}\) = -1 EINTR \(Interrupted system call\)$/m,
      );
      expect(lego.stderr).toMatch(
        /^\[pid 1\] read\(3, 0x[0-9a-f]+, 1\) = \? ERESTARTSYS \(To be restarted if SA_RESTART is set\)$/m,
      );
      expect(lego.stderr).toMatch(/^\[pid 1\] kill\(\d+, SIGKILL\) = 0$/m);
      expect(lego.stderr).toMatch(/^\[pid \d+\] \+\+\+ killed by SIGKILL \+\+\+$/m);
      const end = lego.stderr.trimEnd().split('\n').slice(-3);
      expect(end[0]).toMatch(
        /^\[pid 1\] --- SIGTERM \{si_signo=SIGTERM, si_code=SI_TKILL, si_pid=1, si_uid=0\} ---$/,
      );
      expect(end.slice(1)).toEqual([
        '[pid 1] +++ killed by SIGTERM +++',
        'legosim: killed by SIGTERM from pid 1',
      ]);
    },
    120_000,
  );
});

describe.skipIf(!existsSync(BUSYBOX))('busybox sh: background jobs and wait', () => {
  const scripts = [
    'sleep 0 & wait; echo $?',
    'sleep 0 & wait; echo done',
    'echo start; (echo in background; exit 3) & wait $!; echo "job status $?"; true & wait; echo "all done $?"',
    'for i in 1 2 3; do (echo job $i > /tmp/j$i) & done; wait; cat /tmp/j1 /tmp/j2 /tmp/j3',
    'trap "echo got USR1" USR1; kill -USR1 $$; echo after',
    // the shell reports the kill on its stderr, which the native run does not capture
    'exec 2>/dev/null; sh -c "kill -9 \\$\\$"; echo "status $?"',
  ];
  for (const script of scripts) test(script, () => expectShellLikeNative(script), 60_000);
});
