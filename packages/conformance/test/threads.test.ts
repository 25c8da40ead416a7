// POSIX threads on the model: clone(CLONE_THREAD) and clone3, futex waits and wakes under
// contended mutexes, condition variables and barriers, thread exit with CLONE_CHILD_CLEARTID
// (pthread_join), TLS through CLONE_SETTLS. The host is the oracle: the same lines natively.
import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { expectSameLines, runNative } from './native.js';

describe.each(['musl', 'glibc'] as Libc[])('threads.c (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))(
    'prints what it prints natively',
    async () => {
      const prog = buildProbe('threads', libc, ['-pthread']);
      const native = runNative(prog);
      const lego = await runCli(['run', prog]);
      expect(lego.stderr).toBe('');
      expectSameLines(native.stdout, lego.stdout);
      expect(lego.status).toBe(native.status);
    },
    120_000,
  );

  test.skipIf(!hasCompiler(libc))(
    'the mutex is contended: threads sleep in FUTEX_WAIT and are woken',
    async () => {
      const prog = buildProbe('threads', libc, ['-pthread']);
      // a fast tick (200 µs slices) preempts threads inside their critical sections, so others must wait
      const lego = await runCli(['run', '--strace', '--timer-hz', '5000', prog]);
      expect(lego.stderr).toMatch(/^\[pid [2-5]\] futex\(0x[0-9a-f]+, FUTEX_WAIT(_BITSET)?_PRIVATE, /m);
      expect(lego.stderr).toMatch(/^\[pid \d\] futex\(0x[0-9a-f]+, FUTEX_WAKE_PRIVATE, 1\) = 1$/m);
      expect(lego.stderr).toMatch(/^\[pid 2\] \+\+\+ exited with 0 \+\+\+$/m);
      expect(lego.stderr.trimEnd().split('\n').at(-1)).toBe('[pid 1] +++ exited with 0 +++');
    },
    120_000,
  );
});
