// Command-line conventions a script or a terminal user relies on: --json output, the
// progress line on a terminal (and only there), colour that honours NO_COLOR and pipes.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '@legosim/x86/asm';
import { afterAll, describe, expect, test } from 'vitest';
import { captureIo, type CliIo, main, staticElf } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'legosim-cli-conventions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A static program that spins `count` times round a 3-instruction loop, prints "done" and exits 5. */
function spinner(count: number): string {
  const source = `	.text
	.globl	_start
_start:
	movl	$${count}, %ecx
1:	addq	$1, %rbx
	decl	%ecx
	jnz	1b
	movl	$1, %edi
	leaq	text(%rip), %rsi
	movl	$5, %edx
	movl	$1, %eax
	syscall
	movl	$5, %edi
	movl	$231, %eax
	syscall
text:	.ascii	"done\\n"
`;
  const file = join(dir, `spin-${count}`);
  writeFileSync(file, staticElf(assemble(source, { origin: 0x401000 }).bytes, 0x400000, 0x1000));
  return file;
}

/** Runs the CLI with a host that looks like a terminal (or not) and a clock that advances 100 ms per reading. */
async function runWith(args: string[], host: { tty: boolean; env?: Record<string, string> }) {
  const { io, result } = captureIo();
  let clock = 0;
  const terminal: CliIo = {
    ...io,
    isTty: () => host.tty,
    env: (name) => host.env?.[name],
    now: () => {
      clock += 100;
      return clock;
    },
  };
  const status = await main(args, terminal);
  return { status, ...result() };
}

describe('run --json', () => {
  test('prints the result and counters as one JSON object on stderr after the guest output', async () => {
    const prog = spinner(1000);
    const r = await runWith(['run', '--json', prog], { tty: false });
    expect(r.status).toBe(5);
    expect(r.stdout).toBe('done\n');
    const json = JSON.parse(r.stderr);
    expect(json).toMatchObject({ status: 5, signal: 0, reason: null, syscalls: 2 });
    // 1 to set up, 3 per loop turn, then 8 to print and exit, all in user mode
    expect(json.user_instructions).toBe(1 + 3 * 1000 + 8);
    expect(json.instructions).toBeGreaterThan(json.user_instructions);
    expect(json.simulated_ns).toBeGreaterThan(0);
    for (const key of ['wall_ms', 'mips', 'tlb_hits', 'tlb_misses', 'page_walks', 'tlb_flushes']) expect(typeof json[key], key).toBe('number');
    // the loop is hot: most of it ran as a translation block
    expect(json.translated_instructions).toBeGreaterThan(3 * 900);
    expect(json.translation_blocks).toBeGreaterThan(0);
    // one entry per CPU: its instructions add up to the run's, and it never halted (the guest never waits)
    expect(json.cpus).toEqual([
      { instructions: json.instructions, user_instructions: json.user_instructions, halted_ns: 0, translated_instructions: json.translated_instructions },
    ]);
  });
});

describe('the progress line', () => {
  test('on a terminal, a long run shows instructions, MIPS and simulated time on stderr, then erases it', async () => {
    const prog = spinner(2_000_000);
    const r = await runWith(['run', prog], { tty: true });
    expect(r.status).toBe(5);
    expect(r.stdout).toBe('done\n');
    const draws = r.stderr.split('\r\x1b[K').filter((s) => s !== '');
    expect(draws.length).toBeGreaterThan(0);
    for (const d of draws) expect(d).toMatch(/^legosim: [\d,]+ instructions, [\d.]+ MIPS, [\d.]+ ms simulated$/);
    // the last thing written to stderr erases the line
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
  });
  test('not when stderr is not a terminal, nor with --no-progress', async () => {
    const prog = spinner(2_000_000);
    expect((await runWith(['run', prog], { tty: false })).stderr).toBe('');
    expect((await runWith(['run', '--no-progress', prog], { tty: true })).stderr).toBe('');
  });
});

describe('colour', () => {
  const errorLine = (env: Record<string, string>, tty: boolean) => runWith(['run', '--bogus'], { tty, env }).then((r) => r.stderr);
  test('a terminal gets a coloured legosim: prefix; NO_COLOR, TERM=dumb and pipes get plain text; FORCE_COLOR forces it', async () => {
    expect(await errorLine({}, true)).toBe('\x1b[31m\x1b[1mlegosim:\x1b[22m\x1b[39m unknown option --bogus (see --help)\n');
    expect(await errorLine({ NO_COLOR: '1' }, true)).toBe('legosim: unknown option --bogus (see --help)\n');
    expect(await errorLine({ TERM: 'dumb' }, true)).toBe('legosim: unknown option --bogus (see --help)\n');
    expect(await errorLine({}, false)).toBe('legosim: unknown option --bogus (see --help)\n');
    expect((await errorLine({ FORCE_COLOR: '1' }, false)).startsWith('\x1b[31m')).toBe(true);
  });
});

describe('help', () => {
  test.each(['run', 'explain', 'trace', 'disasm'])('legosim help %s prints the same as the command\'s --help', async (command) => {
    const a = await runWith(['help', command], { tty: false });
    const b = await runWith([command, '--help'], { tty: false });
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('disasm --json', () => {
  test('one object per instruction, with bytes, and invalid/truncated verdicts', async () => {
    const r = await runWith(['disasm', '--json', '--hex', '0f 05 06 48 89'], { tty: false });
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { address: '0x0', bytes: '0f05', text: 'syscall', status: 'ok' },
      { address: '0x2', bytes: '06', text: '(bad)', status: 'invalid' },
      { address: '0x3', bytes: '4889', text: '(bad)', status: 'truncated' },
    ]);
  });
  test.skipIf(!existsSync('/bin/busybox'))('an ELF file: the same instructions as the text listing, with their sections and bytes', async () => {
    const range = ['--start', '0x401180', '--stop', '0x401200', '/bin/busybox'];
    const text = (await runWith(['disasm', ...range], { tty: false })).stdout.trimEnd().split('\n');
    const json = (await runWith(['disasm', '--json', ...range], { tty: false })).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(text.length).toBeGreaterThan(10);
    expect(json).toHaveLength(text.length);
    const image = readFileSync('/bin/busybox');
    for (const [i, line] of text.entries()) {
      expect(json[i].section).toBe('.text');
      expect(line).toBe(`  ${json[i].address.slice(2)}:\t${json[i].text}`);
      // .text's file offset is its address minus 0x400000 in this static executable
      const at = Number.parseInt(json[i].address, 16) - 0x400000;
      expect(json[i].bytes).toBe(image.subarray(at, at + json[i].bytes.length / 2).toString('hex'));
    }
  });
});

describe('explain', () => {
  test('a program that never reaches the syscall stops at --max-instructions with one clear line', async () => {
    const prog = spinner(1_000_000); // 3 M instructions before its first syscall
    const r = await runWith(['explain', '--max-instructions', '100000', prog], { tty: false });
    expect(r.status).toBe(125);
    expect(r.stderr).toBe(`legosim: ${prog} ran 100000 instructions without reaching its syscall 1 (0 so far); raise --max-instructions\n`);
  });
});

describe('explain with nesting', () => {
  test('a syscall whose user copy faults shows the #PF and the timer interrupt nested on the same kernel stack', async () => {
    const source = `	.text
	.globl	_start
_start:
	xorl	%edi, %edi
	movl	$4096, %esi
	movl	$3, %edx
	movl	$0x22, %r10d
	movq	$-1, %r8
	xorl	%r9d, %r9d
	movl	$9, %eax
	syscall
	movq	%rax, %rsi
	movl	$1, %edi
	movl	$16, %edx
	movl	$1, %eax
	syscall
	xorl	%edi, %edi
	movl	$231, %eax
	syscall
`;
    const file = join(dir, 'nesting');
    writeFileSync(file, staticElf(assemble(source, { origin: 0x401000 }).bytes, 0x400000, 0x1000));
    const r = await runWith(['explain', '--syscall', '2', '--timer-hz', '2000000', file], { tty: false });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/depth 2: page fault \(#PF, vector 14\) at 0x[0-9a-f]+, error 0x0; frame at 0x[0-9a-f]+ \(sp0 - 360\); task_pt_regs = this syscall's pt_regs/);
    expect(r.stdout).toMatch(/depth 3: APIC timer interrupt \(vector 0xef\); frame at 0x[0-9a-f]+ \(sp0 - 552\); task_pt_regs = this syscall's pt_regs/);
  });
});

describe('a run in which every task waits forever', () => {
  test.each([['1'], ['2']])('on %s CPU(s) ends with a one-line deadlock panic, status 125, not a hang', async (cpus) => {
    // futex(&word, FUTEX_WAIT, 0, NULL): nobody will ever wake it
    const source = `	.text
	.globl	_start
_start:
	subq	$8, %rsp
	movl	$0, (%rsp)
	movq	%rsp, %rdi
	xorl	%esi, %esi
	xorl	%edx, %edx
	xorl	%r10d, %r10d
	movl	$202, %eax
	syscall
	movl	$60, %eax
	syscall
`;
    const file = join(dir, 'deadlock');
    writeFileSync(file, staticElf(assemble(source, { origin: 0x401000 }).bytes, 0x400000, 0x1000));
    const r = await runWith(['run', '--cpus', cpus, file], { tty: false });
    expect(r.status).toBe(125);
    expect(r.stderr).toBe('legosim: kernel panic: deadlock: every task is waiting (pid 1 sleeping)\n');
  });
});
