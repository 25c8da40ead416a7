/**
 * The API reference: TypeDoc (with typedoc-plugin-markdown) reads every public package's
 * exported entry points from source (the `@legosim/source` condition of each package's
 * exports map) and writes Markdown pages under api/ — one directory per package, one page
 * per exported symbol. `api/` is generated, not committed (.gitignore): the docs build and
 * dev server run this first (`pnpm --filter @legosim/docs api`), and the test renders it
 * into a temporary directory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, Converter, ReflectionKind, type TypeDocOptions } from 'typedoc';
import type { PluginOptions } from 'typedoc-plugin-markdown';

const DOCS = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(DOCS, '../..');
export const API_DIR: string = join(DOCS, 'api');

/** The published packages whose API is documented, by workspace directory. */
export const API_PACKAGES: readonly string[] = [
  'packages/x86',
  'packages/cpu',
  'packages/memory',
  'packages/interrupts',
  'packages/kernel',
  'packages/trace',
  'apps/cli',
];

export interface EntryPoint {
  /** The import specifier: `@legosim/x86`, `@legosim/x86/format`, `legosim`. */
  specifier: string;
  /** Absolute path of the TypeScript source the export resolves to. */
  source: string;
  /** Directory of its pages under api/: `x86`, `x86/format`, `legosim`. */
  slug: string;
}

interface Manifest {
  name: string;
  private?: boolean;
  exports: Record<string, string | Record<string, string>>;
}

/** Every public entry point: each `exports` subpath with a `@legosim/source` file. */
export function entryPoints(): EntryPoint[] {
  const out: EntryPoint[] = [];
  for (const dir of API_PACKAGES) {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
    if (manifest.private) throw new Error(`${dir} is private; it has no public API`);
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') continue; // ./package.json
      const source = target['@legosim/source'];
      if (source === undefined) throw new Error(`${dir}: exports['${subpath}'] has no @legosim/source entry`);
      const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      out.push({ specifier, source: join(ROOT, dir, source), slug: specifier.replace(/^@legosim\//, '') });
    }
  }
  return out;
}

/**
 * Runs TypeDoc over every entry point and writes Markdown to `out` (default api/): `index.md`
 * lists the modules, `<specifier>/index.md` a module's exports, one page per symbol below it.
 */
export async function renderApiReference(
  out: string = API_DIR,
): Promise<{ out: string; entries: EntryPoint[] }> {
  const entries = entryPoints();
  const options: TypeDocOptions & PluginOptions = {
    entryPoints: entries.map((e) => e.source),
    entryPointStrategy: 'resolve',
    tsconfig: join(DOCS, 'tsconfig.api.json'),
    plugin: ['typedoc-plugin-markdown'],
    out,
    name: 'API',
    readme: 'none',
    router: 'member',
    entryFileName: 'index',
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useCodeBlocks: true,
    expandObjects: false,
    parametersFormat: 'table',
    enumMembersFormat: 'table',
    typeDeclarationFormat: 'table',
    sanitizeComments: true,
    excludePrivate: true,
    excludeInternal: true,
    disableSources: true,
    githubPages: false,
    cleanOutputDir: true,
    logLevel: 'Warn',
    // the source files' exported API is the documentation's subject, not their tsdoc hygiene
    validation: {
      notExported: false,
      invalidLink: false,
      rewrittenLink: false,
      notDocumented: false,
      unusedMergeModuleWith: false,
    },
    treatWarningsAsErrors: false,
    // `pnpm typecheck` checks the sources; the reference only needs their declarations
    skipErrorChecking: true,
  };
  const app = await Application.bootstrapWithPlugins(options);
  // name each module by the specifier a user imports, not by its path (TypeDoc names a
  // module by its file relative to the entry points' common directory: packages/x86/src)
  const byPath = new Map(entries.map((e) => [relative(ROOT, e.source).replace(/(\/index)?\.ts$/, ''), e]));
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const entry = byPath.get(module.name);
      if (!entry) throw new Error(`TypeDoc module '${module.name}' matches no entry point`);
      module.name = entry.specifier;
    }
  });
  const project = await app.convert();
  if (!project) throw new Error('TypeDoc could not convert the packages (see the messages above)');
  await app.generateOutputs(project);
  if (app.logger.hasErrors()) throw new Error('TypeDoc reported errors (see the messages above)');
  return { out, entries };
}

/** A fresh rendering in a temporary directory (tests). */
export async function renderApiReferenceToTemp(): Promise<{
  out: string;
  entries: EntryPoint[];
  cleanup: () => void;
}> {
  const out = mkdtempSync(join(tmpdir(), 'legosim-api-'));
  const r = await renderApiReference(out);
  return { ...r, cleanup: () => rmSync(out, { recursive: true, force: true }) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const { entries } = await renderApiReference();
  console.log(`api/ written: ${entries.map((e) => e.specifier).join(', ')} (${Date.now() - started} ms)`);
}
