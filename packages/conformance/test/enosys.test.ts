import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, runCli } from '../src/index.js';

describe('numbers without a handler', () => {
  test.skipIf(!hasCompiler('musl'))('an unknown number returns -ENOSYS to the guest; one in the table reaches sys_ni_syscall and its NOTICE', async () => {
    const prog = buildProbe('enosys', 'musl');
    const r = await runCli(['run', prog]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('syscall(500) = -38\nsyscall(100000) = -38\ngetpid() > 0: 1\n');
    // 500 < NR_syscalls: its slot holds sys_ni_syscall, which prints the NOTICE and the registers;
    // 100000 is beyond the table: do_syscall_64 leaves the -ENOSYS pushed at entry, silently
    expect(r.stderr).toContain('NOTICE: Missing syscall nr: 500');
    expect(r.stderr).not.toContain('Missing syscall nr: 100000');
    expect(r.stderr).toMatch(/RIP: 0033:\[<[0-9a-f]{16}>\]/);
  });

  test.skipIf(!hasCompiler('glibc'))('under --lego-table-only, prlimit64 (which Lego lacks) reaches sys_ni_syscall', async () => {
    const prog = buildProbe('hello', 'glibc');
    const normal = await runCli(['run', '--strace', prog]);
    expect(normal.stderr).toMatch(/^prlimit64\(0, RLIMIT_STACK, NULL, .*\) = 0$/m);
    expect(normal.stderr).not.toContain('NOTICE: Missing syscall nr: 302');
    const strict = await runCli(['run', '--strace', '--lego-table-only', prog]);
    expect(strict.stderr).toContain('NOTICE: Missing syscall nr: 302');
    expect(strict.stderr).toMatch(/^prlimit64\(0, RLIMIT_STACK, NULL, 0x[0-9a-f]+\) = -1 ENOSYS \(Function not implemented\)$/m);
    // glibc copes without it and the program still works
    expect(strict.status).toBe(3);
    expect(strict.stdout).toBe(normal.stdout);
  });
});
