// The API reference (TypeDoc → Markdown, generated into api/ by the docs build) has a page
// for every symbol every public entry point exports — the exports listed by the TypeScript
// compiler, not by TypeDoc — its pages link only to pages that exist, and the site's links
// into /api/ reach generated pages. It renders into a temporary directory, never api/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EntryPoint, renderApiReferenceToTemp } from '../scripts/api-reference.mts';

const DOCS = resolve(import.meta.dirname, '..');

/** The names an entry point exports, as the TypeScript compiler sees them. */
function exportedNames(entries: readonly EntryPoint[]): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(DOCS, 'tsconfig.api.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('cannot read tsconfig.api.json');
  const program = ts.createProgram(
    entries.map((e) => e.source),
    config.options,
  );
  const checker = program.getTypeChecker();
  const out = new Map<string, string[]>();
  for (const e of entries) {
    const file = program.getSourceFile(e.source);
    const symbol = file && checker.getSymbolAtLocation(file);
    if (!symbol) throw new Error(`${e.source}: the compiler found no module`);
    out.set(
      e.specifier,
      checker.getExportsOfModule(symbol).map((s) => s.getName()),
    );
  }
  return out;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.md'))
    .map((d) => join(d.parentPath, d.name));
}

/** The page a module index links for `name`, if it exists. */
function pageOf(out: string, specifier: string, name: string): string | undefined {
  const index = join(out, specifier, 'index.md');
  if (!existsSync(index)) return undefined;
  const escaped = name.replace(/[$]/g, '\\$&');
  const link = new RegExp(`\\]\\(([^)\\s]*/${escaped}\\.md)\\)`).exec(readFileSync(index, 'utf8'));
  if (!link) return undefined;
  const page = resolve(dirname(index), link[1]!);
  return existsSync(page) ? page : undefined;
}

/** Where a site link into /api/ lands in the rendered output. */
function apiTarget(out: string, link: string): string {
  const path = link.split('#')[0]!.replace(/^\/api\/?/, '');
  return path === '' || path.endsWith('/')
    ? join(out, path, 'index.md')
    : join(out, `${path.replace(/\.(md|html)$/, '')}.md`);
}

describe('API reference', () => {
  let rendered: Awaited<ReturnType<typeof renderApiReferenceToTemp>>;

  beforeAll(async () => {
    rendered = await renderApiReferenceToTemp();
  }, 180_000);

  afterAll(() => rendered?.cleanup());

  it('documents every public package, with each exports subpath', () => {
    const specifiers = rendered.entries.map((e) => e.specifier);
    for (const s of [
      '@legosim/x86',
      '@legosim/x86/format',
      '@legosim/x86/asm',
      '@legosim/cpu',
      '@legosim/memory',
      '@legosim/interrupts',
      '@legosim/kernel',
      '@legosim/trace',
      'legosim',
    ]) {
      expect(specifiers).toContain(s);
    }
  });

  it('has a page for every exported symbol of every entry point', () => {
    const missing: string[] = [];
    let count = 0;
    for (const [specifier, names] of exportedNames(rendered.entries)) {
      expect(names.length, `${specifier} exports something`).toBeGreaterThan(0);
      for (const name of names) {
        count++;
        if (!pageOf(rendered.out, specifier, name)) missing.push(`${specifier}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
    expect(count).toBeGreaterThan(100);
    // the lookup itself fails for what is not there
    expect(pageOf(rendered.out, '@legosim/x86', 'NoSuchSymbol')).toBeUndefined();
  });

  it('links only to pages that exist', () => {
    const broken: string[] = [];
    for (const file of markdownFiles(rendered.out)) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        if (!existsSync(resolve(dirname(file), target)))
          broken.push(`${relative(rendered.out, file)} → ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('is reachable: every site link into /api/ lands on a generated page', () => {
    const config = readFileSync(join(DOCS, '.vitepress/config.ts'), 'utf8');
    const links = [...config.matchAll(/link:\s*'(\/api\/[^']*)'/g)].map((m) => m[1]!);
    for (const dir of ['guide', 'concepts', 'packages', 'reference']) {
      for (const file of markdownFiles(join(DOCS, dir))) {
        links.push(...[...readFileSync(file, 'utf8').matchAll(/\]\((\/api\/[^)\s]*)\)/g)].map((m) => m[1]!));
      }
    }
    expect(links.length, 'the sidebar links the API reference').toBeGreaterThan(0);
    for (const link of links) expect(existsSync(apiTarget(rendered.out, link)), link).toBe(true);
  });
});
