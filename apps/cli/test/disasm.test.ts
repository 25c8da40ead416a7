import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElfSections, readElfSymbols } from '@legosim/x86';
import { afterAll, describe, expect, test } from 'vitest';
import { type Captured, runCli } from '../src/index.js';

/** Runs `legosim ARGS` in-process; files are the real file system. */
const run = (args: string[]): Promise<Captured> => runCli(args);

function have(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A small freestanding program: a loop the compiler vectorises, a raw syscall, no libc. */
const SOURCE = `static long sys(long n, long a, long b, long c) {
  long r; __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory"); return r;
}
static const char msg[] = "hi\\n";
__attribute__((noinline)) int sum(const int *a, int n) { int s = 0; for (int i = 0; i < n; i++) s += a[i] * 3 + (a[i] >> 2); return s; }
void _start(void) { int v[64]; for (int i = 0; i < 64; i++) v[i] = i * 7; sys(1, 1, (long)msg, 3); sys(60, sum(v, 64), 0, 0); }
`;

const dir = mkdtempSync(join(tmpdir(), 'legosim-disasm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

describe('legosim disasm against objdump', () => {
  const ok = have('gcc') && have('objdump');
  test.skipIf(!ok)(`--syntax intel --section .text --start --stop prints objdump's lines${ok ? '' : ' (skipped: gcc or objdump missing)'}`, async () => {
    const src = join(dir, 'prog.c');
    const prog = join(dir, 'prog');
    writeFileSync(src, SOURCE);
    execFileSync('gcc', ['-O2', '-static', '-nostdlib', '-fno-pie', '-no-pie', '-o', prog, src]);
    const bytes = new Uint8Array(readFileSync(prog));
    const syms = readElfSymbols(bytes, readElfSections(bytes));
    const sum = syms.find((s) => s.name === 'sum');
    const start = syms.find((s) => s.name === '_start');
    expect(sum).toBeDefined();
    expect(start).toBeDefined();
    const lo = Math.min(sum?.value ?? 0, start?.value ?? 0);
    const hi = Math.max((sum?.value ?? 0) + (sum?.size ?? 0), (start?.value ?? 0) + (start?.size ?? 0));
    // Whole functions, a window starting mid-function, and one (decimal) whose stop cuts an instruction.
    const ranges: [string, string][] = [
      [`0x${lo.toString(16)}`, `0x${hi.toString(16)}`],
      [`0x${(lo + 4).toString(16)}`, `0x${(hi - 8).toString(16)}`],
      [String(lo), String(lo + 9)],
    ];
    for (const syntax of ['intel', 'att']) {
      for (const [a, b] of ranges) {
        const r = await run(['disasm', '--syntax', syntax, prog, '--section', '.text', '--start', a, '--stop', b]);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const od = execFileSync('objdump', ['-d', '--no-show-raw-insn', '-w', ...(syntax === 'intel' ? ['-M', 'intel'] : []), '-j', '.text',
          `--start-address=${a}`, `--stop-address=${b}`, prog]).toString().split('\n').filter((l) => /^ +[0-9a-f]+:\t/.test(l));
        const mine = r.stdout.split('\n').filter((l) => l !== '');
        expect(od.length).toBeGreaterThan(1);
        expect(mine.map(norm)).toEqual(od.map(norm));
      }
    }
  }, 60_000);
});

describe('legosim disasm options', () => {
  test('--syntax intel decodes --hex bytes in Intel syntax', async () => {
    const r = await run(['disasm', '--syntax', 'intel', '--hex', '0f 05 48 89 e7 48 8b 04 25 28 00 00 00']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('   0:\t0f 05\tsyscall\n   2:\t48 89 e7\tmov    rdi,rsp\n   5:\t48 8b 04 25 28 00 00 00\tmov    rax,QWORD PTR ds:0x28\n');
  });
  test('--syntax att is the default', async () => {
    const a = await run(['disasm', '--hex', '48 89 e7']);
    const b = await run(['disasm', '--syntax=att', '--hex', '48 89 e7']);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('mov    %rsp,%rdi');
  });

  const notElf = join(dir, 'not-elf.txt');
  writeFileSync(notElf, 'just some text, not an ELF file\n');
  test.each([
    [['disasm', notElf], /not an ELF file/],
    [['disasm', '--syntax', 'masm', '--hex', '90'], /--syntax: 'masm' is not att or intel/],
    [['disasm', '--start', '0xzz', notElf], /--start: '0xzz' is not an address/],
    [['disasm', '--stop', '-5', notElf], /--stop: '-5' is not an address/],
    [['disasm', '--start', '0x20', '--stop', '16', notElf], /--start 0x20 is not below --stop 0x10/],
    [['disasm', '--section', '.text', '--hex', '90'], /apply to a FILE, not to --hex/],
    [['disasm', '--section'], /needs a value/],
    [['disasm', join(dir, 'does-not-exist')], /cannot read/],
  ])('%j fails with one clear line and 125', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.status).toBe(125);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  test.skipIf(!have('gcc'))('--section with a name the file lacks fails with one line', async () => {
    const src = join(dir, 'tiny.c');
    const prog = join(dir, 'tiny');
    writeFileSync(src, 'void _start(void) { for (;;) {} }\n');
    execFileSync('gcc', ['-O2', '-static', '-nostdlib', '-o', prog, src]);
    const r = await run(['disasm', '--section', '.nope', prog]);
    expect(r.status).toBe(125);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no section named '\.nope'/);
  });
});
