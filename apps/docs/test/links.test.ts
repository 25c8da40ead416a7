// Every internal link of the site (markdown links in pages, nav and sidebar links in the
// VitePress config) must reach an existing page, and an #anchor must name a heading id of
// that page. Includes must name existing files; model-output blocks must be paired.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function pages(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...pages(path));
    else if (entry.name.endsWith('.md')) out.push(path);
  }
  return out;
}

/** The page's markdown with includes expanded (as VitePress renders it). */
function source(file: string): string {
  return readFileSync(file, 'utf8').replace(/<!--\s*@include:\s*(.+?)\s*-->/g, (_, target: string) =>
    readFileSync(resolve(dirname(file), target), 'utf8'),
  );
}

/** Heading ids of a page: explicit {#id} anchors, plus VitePress's slugs of plain headings. */
function anchors(file: string): Set<string> {
  const ids = new Set<string>();
  for (const line of source(file).split('\n')) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const text = heading[1]!;
    const explicit = /\{#([\w-]+)\}\s*$/.exec(text);
    if (explicit) {
      ids.add(explicit[1]!);
      continue;
    }
    const slug = text
      .replace(/`/g, '')
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, '-')
      .replace(/^-+|-+$/g, '');
    ids.add(/^\d/.test(slug) ? `_${slug}` : slug);
  }
  return ids;
}

/** The page file a link resolves to, or undefined. */
function pageFor(path: string): string | undefined {
  const bare = path.replace(/\.(md|html)$/, '');
  for (const candidate of [`${bare}.md`, join(bare, 'index.md')]) {
    if (existsSync(candidate) && candidate.startsWith(root)) return candidate;
  }
  return undefined;
}

interface Link {
  from: string;
  target: string;
  base: string;
}

function markdownLinks(file: string): Link[] {
  const text = source(file).replace(/```[\s\S]*?```/g, '');
  const links: Link[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    links.push({ from: relative(root, file), target: m[1]!, base: dirname(file) });
  }
  for (const m of text.matchAll(/^\s*link:\s*(\S+)\s*$/gm)) {
    links.push({ from: relative(root, file), target: m[1]!, base: root });
  }
  return links;
}

function configLinks(): Link[] {
  const config = readFileSync(join(root, '.vitepress/config.ts'), 'utf8');
  return [...config.matchAll(/link:\s*'([^']+)'/g)].map((m) => ({
    from: '.vitepress/config.ts',
    target: m[1]!,
    base: root,
  }));
}

function isInternal(target: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(target);
}

function check(link: Link): string | undefined {
  const [pathPart, anchor] = link.target.split('#') as [string, string | undefined];
  const path = pathPart.split('?')[0]!;
  let file: string | undefined;
  if (path === '') {
    file = join(root, link.from);
  } else {
    const absolute = path.startsWith('/') ? join(root, path) : resolve(link.base, path);
    file = pageFor(absolute);
  }
  if (!file) return `${link.from}: link ${link.target} reaches no page`;
  if (anchor && !anchors(file).has(anchor)) {
    return `${link.from}: link ${link.target}: ${relative(root, file)} has no heading #${anchor}`;
  }
  return undefined;
}

const all = pages(root);

describe('documentation site links', () => {
  it('has the pages the navigation promises', () => {
    const names = all.map((f) => relative(root, f)).sort();
    for (const page of [
      'index.md',
      'concepts/syscall-facts.md',
      'reference/trace-format.md',
      ...['x86', 'cpu', 'memory', 'interrupts', 'kernel', 'trace', 'cli'].map((p) => `packages/${p}.md`),
    ]) {
      expect(names).toContain(page);
    }
  });

  it('resolves every internal link in pages, nav and sidebar', () => {
    const links = [...all.flatMap(markdownLinks), ...configLinks()].filter((l) => isInternal(l.target));
    expect(links.length).toBeGreaterThan(40);
    const broken = links.map(check).filter((p) => p !== undefined);
    expect(broken).toEqual([]);
  });

  it('links every page from the sidebar or another page', () => {
    const linked = new Set<string>();
    for (const link of [...all.flatMap(markdownLinks), ...configLinks()].filter((l) =>
      isInternal(l.target),
    )) {
      const path = link.target.split('#')[0]!;
      if (!path) continue;
      const file = pageFor(path.startsWith('/') ? join(root, path) : resolve(link.base, path));
      if (file) linked.add(file);
    }
    const orphans = all.filter((f) => !linked.has(f) && relative(root, f) !== 'index.md');
    expect(orphans.map((f) => relative(root, f))).toEqual([]);
  });

  it('includes only files that exist', () => {
    for (const file of all) {
      for (const m of readFileSync(file, 'utf8').matchAll(/<!--\s*@include:\s*(.+?)\s*-->/g)) {
        expect(existsSync(resolve(dirname(file), m[1]!)), `${relative(root, file)} includes ${m[1]}`).toBe(
          true,
        );
      }
    }
  });

  it('pairs every model-output marker with its end marker', () => {
    for (const file of all) {
      const text = readFileSync(file, 'utf8');
      const opens = [...text.matchAll(/<!-- model-output: ([\w-]+) -->/g)].map((m) => m[1]);
      const closes = [...text.matchAll(/<!-- \/model-output: ([\w-]+) -->/g)].map((m) => m[1]);
      expect(closes, relative(root, file)).toEqual(opens);
    }
  });

  it('detects a broken link (the checker itself works)', () => {
    expect(check({ from: 'index.md', target: './nowhere.md', base: root })).toMatch(/reaches no page/);
    expect(check({ from: 'index.md', target: '/concepts/syscall-facts#nope', base: root })).toMatch(
      /no heading/,
    );
    expect(check({ from: 'index.md', target: '/concepts/syscall-facts#warn', base: root })).toBeUndefined();
    expect(check({ from: 'index.md', target: '/packages/', base: root })).toBeUndefined();
  });
});
