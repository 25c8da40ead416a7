/**
 * Fills the `<!-- model-output: NAME -->` blocks of the docs with the model's own output:
 * `legosim explain` of the embedded demo, its trace as jsonl, and `legosim run --strace`.
 * Run `pnpm --filter @legosim/docs model-output` after changing what they show; a test
 * fails when a page is out of date.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_SCHEMA } from '@legosim/trace';
import { assemble } from '@legosim/x86/asm';
import { buildDemoProgram, runCli, staticElf } from 'legosim';

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Pages and the blocks each one holds. */
export const PAGES: Record<string, string[]> = {
  'concepts/syscall-facts.md': ['explain', 'return-path'],
  'concepts/syscall-flow.md': ['flow'],
  'concepts/nesting.md': ['nesting'],
  'guide/cli.md': ['cli-strace'],
  'reference/trace-events.md': ['schema'],
  'reference/trace-exports.md': ['trace-strace', 'trace-text', 'trace-summary'],
  'packages/x86.md': ['example-x86'],
  'packages/memory.md': ['example-memory'],
  'packages/interrupts.md': ['example-interrupts'],
  'packages/cpu.md': ['example-cpu'],
  'packages/kernel.md': ['example-kernel'],
  'packages/trace.md': ['example-trace'],
};

/** The packages whose README example each package guide shows. */
const EXAMPLE_PACKAGES = ['x86', 'memory', 'interrupts', 'cpu', 'kernel', 'trace'] as const;

/**
 * A package's runnable example: the first ```ts block of its README, the one the release
 * test (tooling/release) compiles against the published types and runs from the packed tarball.
 */
function readmeExample(pkg: string): string {
  const readme = readFileSync(join(DOCS, '..', '..', 'packages', pkg, 'README.md'), 'utf8');
  const m = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error(`packages/${pkg}/README.md has no \`\`\`ts example`);
  return [
    `From the package's README; the release test installs \`@legosim/${pkg}\` from its packed tarball into an empty project, compiles this against the published types and runs it, checking what it prints:`,
    '',
    fence('ts', m[1]!),
  ].join('\n');
}

/** The table of every event type and field, straight from the trace schema. */
function schemaTable(): string {
  const rows = ['| event | id | field | kind | meaning |', '|---|---|---|---|---|'];
  for (const e of EVENT_SCHEMA) {
    e.fields.forEach((f, i) => {
      const kind = `${f.kind}${'optional' in f && f.optional ? ', optional' : ''}`;
      rows.push(`| ${i === 0 ? `\`${e.name}\`` : ''} | ${i === 0 ? e.id : ''} | \`${f.name}\` | ${kind} | ${f.doc.replace(/\|/g, '\\|')} |`);
    });
  }
  return rows.join('\n');
}

/** Runs the command line in-process (the model's own output, as a user would see it). */
async function cli(args: string[]): Promise<{ stdout: string; stderr: string; status: number }> {
  return runCli(args);
}

function fence(lang: string, text: string): string {
  return `\`\`\`${lang}\n${text.trimEnd()}\n\`\`\``;
}

/**
 * The nesting scenario as a program of its own: write(2) from a page it mapped but never
 * touched, so the kernel's copy_from_user takes a page fault inside the syscall.
 */
export const NESTING_SOURCE: string = `# write(2) from a page that is mapped but was never touched
	.text
	.globl	_start
_start:
	xorl	%edi, %edi			# mmap(NULL, 4096, PROT_READ|PROT_WRITE,
	movl	$4096, %esi			#      MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
	movl	$3, %edx
	movl	$0x22, %r10d
	movq	$-1, %r8
	xorl	%r9d, %r9d
	movl	$9, %eax
	syscall
	movq	%rax, %rbx
	leaq	devnull(%rip), %rdi		# open("/dev/null", O_WRONLY)
	movl	$1, %esi
	movl	$2, %eax
	syscall
	movl	%eax, %edi			# write(fd, page, 16)
	movq	%rbx, %rsi
	movl	$16, %edx
	movl	$1, %eax
	syscall
	xorl	%edi, %edi			# exit_group(0)
	movl	$231, %eax
	syscall
devnull:
	.asciz	"/dev/null"
`;

/** The write's events and the frames they put on the kernel stack, from a run at HZ = 2,000,000. */
async function nestingBlock(dir: string): Promise<string> {
  const prog = join(dir, 'nesting');
  writeFileSync(prog, staticElf(assemble(NESTING_SOURCE, { origin: 0x401000 }).bytes, 0x400000, 0x1000), { mode: 0o755 });
  const trace = join(dir, 'nesting.lgtrace');
  const run = await cli(['run', '--timer-hz', '2000000', '--trace', trace, prog]);
  if (run.status !== 0) throw new Error(`the nesting program failed: ${run.stderr}`);
  const events = (await cli(['trace', trace, '--format', 'jsonl'])).stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const start = events.findIndex((e) => e.type === 'syscall_entry' && e.name === 'write');
  const end = events.findIndex((e, i) => i > start && e.type === 'syscall_exit');
  const write = events.slice(start, end + 1).filter((e) => e.type !== 'counter');
  const entry = write[0]!;
  const sp0 = BigInt(entry.sp0 as string);
  const rows = ['| ts (ns) | event | depth | frame at (sp) | sp0 − sp | task_pt_regs |', '|---:|---|---:|---|---:|---|'];
  const what = (e: Record<string, unknown>): string => {
    switch (e.type) {
      case 'syscall_entry':
        return `syscall_entry write(${(e.args as string[]).slice(0, 3).join(', ')})`;
      case 'exception':
        return `exception ${e.vector} (#PF), cr2 ${e.cr2}, error ${e.error_code}`;
      case 'page_fault':
        return `page_fault ${e.address}: ${e.resolution}`;
      case 'irq_entry':
        return `irq_entry vector 0x${(e.vector as number).toString(16)} (APIC timer)`;
      case 'irq_exit':
        return `irq_exit vector 0x${(e.vector as number).toString(16)}`;
      case 'syscall_exit':
        return `syscall_exit = ${e.ret} via ${e.path}`;
      default:
        return String(e.type);
    }
  };
  for (const e of write) {
    const sp = (e.type === 'syscall_entry' ? e.pt_regs : e.sp) as string | undefined;
    const depth = e.type === 'syscall_entry' ? 1 : (e.depth as number | undefined);
    const below = sp === undefined ? '' : String(sp0 - BigInt(sp));
    rows.push(`| ${e.ts} | ${what(e)} | ${depth ?? ''} | ${sp === undefined ? '' : `\`${sp}\``} | ${below} | ${e.task_pt_regs === undefined ? '' : `\`${e.task_pt_regs}\``} |`);
  }
  return [
    '`legosim run --timer-hz 2000000 --trace nesting.lgtrace nesting`, the `write` and what happened inside it',
    `(from \`legosim trace nesting.lgtrace --format jsonl\`; sp0, the top of the task's kernel stack, is \`${entry.sp0}\`):`,
    '',
    rows.join('\n'),
  ].join('\n');
}

/** The text of every block, from fresh runs of the model. */
export async function renderBlocks(): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'legosim-docs-'));
  const demo = join(dir, 'demo');
  writeFileSync(demo, buildDemoProgram(), { mode: 0o755 });

  const explain = await cli(['explain']);
  const [entry = '', rest = ''] = explain.stdout.split(/\n(?=do_syscall_64\(regs)/);
  const [, returnPart = ''] = rest.split(/\n(?=[0-9a-f]{16} .* mov {4}\(%rsp\),%r15)/);

  const trace = join(dir, 'demo.lgstrace');
  await cli(['run', '--trace', trace, demo]);
  const jsonl = await cli(['trace', trace, '--format', 'jsonl']);
  const write = jsonl.stdout
    .trim()
    .split('\n')
    .filter((l) => /"name":"write"|"type":"syscall_exit","ts":\d+,"cpu":0,"pid":1,"tid":1,"nr":1,/.test(l))
    .map((l) => JSON.stringify(JSON.parse(l), null, 2))
    .join('\n');

  const strace = await cli(['run', '--strace', demo]);
  const exported = async (format: string): Promise<string> => {
    const r = await cli(['trace', trace, '--format', format]);
    if (r.status !== 0) throw new Error(`legosim trace --format ${format}: ${r.stderr}`);
    return r.stdout;
  };

  const nesting = await nestingBlock(dir);
  const examples = Object.fromEntries(EXAMPLE_PACKAGES.map((pkg) => [`example-${pkg}`, readmeExample(pkg)]));

  return {
    ...examples,
    nesting,
    schema: ['Generated from `EVENT_SCHEMA` in `@legosim/trace` (every event also has `type` and `ts`):', '', schemaTable()].join('\n'),
    explain: [
      'The embedded demo\'s `write`, as `legosim explain` prints it: each instruction of',
      '`entry_SYSCALL_64`, and the pt_regs slot each push fills.',
      '',
      fence('text', entry),
      '',
      fence('text', rest.split(/\n(?=[0-9a-f]{16} )/)[0] ?? ''),
    ].join('\n'),
    'return-path': ['The return half of the same syscall:', '', fence('text', returnPart)].join('\n'),
    flow: ['The `write` of the embedded demo in the jsonl export of its trace (`legosim run --trace`, then `legosim trace --format jsonl`):', '', fence('json', write)].join('\n'),
    'cli-strace': [
      '`legosim run --strace demo`, where `demo` is the embedded demo program (stdout, then the strace lines on stderr):',
      '',
      fence('text', `${strace.stdout}${strace.stderr}`),
    ].join('\n'),
    'trace-strace': ['`legosim trace demo.lgstrace --format strace`:', '', fence('text', await exported('strace'))].join('\n'),
    'trace-text': ['`legosim trace demo.lgstrace --format text`:', '', fence('text', await exported('text'))].join('\n'),
    'trace-summary': ['`legosim trace demo.lgstrace --format summary`:', '', fence('text', await exported('summary'))].join('\n'),
  };
}

/** Replaces the contents of each marked block in `markdown`. */
export function applyBlocks(markdown: string, blocks: Record<string, string>): string {
  return markdown.replace(
    /<!-- model-output: ([\w-]+) -->\n[\s\S]*?\n<!-- \/model-output: \1 -->/g,
    (whole, name: string) => (blocks[name] === undefined ? whole : `<!-- model-output: ${name} -->\n${blocks[name]}\n<!-- /model-output: ${name} -->`),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const blocks = await renderBlocks();
  for (const page of Object.keys(PAGES)) {
    const path = join(DOCS, page);
    writeFileSync(path, applyBlocks(readFileSync(path, 'utf8'), blocks));
  }
  console.log(`model output written into ${Object.keys(PAGES).length} pages`);
}
