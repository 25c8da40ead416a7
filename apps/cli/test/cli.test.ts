import { describe, expect, test } from 'vitest';
import { type Captured, runCli, VERSION } from '../src/index.js';
import pkg from '../package.json' with { type: 'json' };

/** Runs `legosim ARGS` in-process; files are the real file system. */
const run = (args: string[]): Promise<Captured> => runCli(args);

describe('legosim with no arguments', () => {
  test('runs the embedded demo and shows one syscall going through entry_SYSCALL_64', async () => {
    const r = await run([]);
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toContain('syscall 1 of demo: write (nr 1)');
    // the instructions of entry_SYSCALL_64, in Lego's order
    const order = ['syscall', 'swapgs', 'mov    %rsp,%gs:', 'push   $0x2b', 'push   %r11', 'push   $0x33', 'push   %rcx', 'push   %rax', 'sub    $0x30,%rsp', 'mov    %rsp,%rdi', '(native) do_syscall_64', 'sysretq'];
    let at = 0;
    for (const step of order) {
      const i = out.indexOf(step, at);
      expect(i, step).toBeGreaterThan(-1);
      at = i;
    }
    // the kernel stack filling, labelled with pt_regs fields, and the finished pt_regs
    expect(out).toMatch(/\[pt_regs->ss \(\+160\)\] = 0x2b/);
    expect(out).toMatch(/\[pt_regs->orig_ax \(\+120\)\] = 0x1/);
    expect(out).toMatch(/\+ 80 {2}ax {7}0xffffffffffffffda/);
    // IF: on in user mode, off on entry, on in the handler, restored by SYSRET
    expect(out).toContain('IF inside the handler: 1');
    expect(out).toContain('Back in user mode through SYSRET');
    expect(out).toMatch(/IF=1 \(restored from %r11\)/);
  });
});

describe('command-line conventions', () => {
  test('--version matches the package', async () => {
    expect(VERSION).toBe(pkg.version);
    expect((await run(['--version'])).stdout).toBe(`legosim ${pkg.version}\n`);
  });
  test.each([['--help'], ['run', '--help'], ['explain', '--help'], ['trace', '--help'], ['disasm', '--help']])('%s prints usage and exits 0', async (...args) => {
    const r = await run(args);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^(legosim \S+ — |usage: legosim)/);
  });
  test.each([
    [['run'], /missing PROG/],
    [['run', '--max-instructions'], /needs a value/],
    [['run', '--cpus', '33', 'x'], /1 to 32 CPUs/],
    [['run', '--inject', 'bogus', 'x'], /irqs-off:NAME/],
    [['trace'], /missing FILE/],
    [['trace', 'f', '--format', 'bogus'], /unknown format bogus/],
    [['disasm', '--hex', 'zz'], /not a sequence of hex bytes/],
    [['explain', '--syscall', '9'], /made only 3 syscalls/],
    [['nope'], /unknown command/],
  ])('%j fails with one clear line and 125', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.status).toBe(125);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
  test('disasm --hex decodes bytes', async () => {
    const r = await run(['disasm', '--hex', '0f 05 48 89 e7 0f 01 f8']);
    expect(r.stdout).toBe('   0:\t0f 05\tsyscall\n   2:\t48 89 e7\tmov    %rsp,%rdi\n   5:\t0f 01 f8\tswapgs\n');
  });
});
