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
import { buildDemoProgram, runCli } from 'legosim';

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Pages and the blocks each one holds. */
export const PAGES: Record<string, string[]> = {
  'concepts/syscall-facts.md': ['explain', 'return-path'],
  'concepts/syscall-flow.md': ['flow'],
  'guide/cli.md': ['cli-strace'],
  'reference/trace-events.md': ['schema'],
  'reference/trace-exports.md': ['trace-strace', 'trace-text', 'trace-summary'],
};

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

  return {
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
