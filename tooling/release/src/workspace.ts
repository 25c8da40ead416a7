// The workspace as a release sees it: which packages there are, which are published, and
// the runnable example each published library's README starts with.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The packages that are published, in dependency order (each after what it depends on).
 * A test fails when the workspace holds a public package missing from this list.
 */
export const PUBLIC_PACKAGES: readonly string[] = [
  '@legosim/x86',
  '@legosim/memory',
  '@legosim/interrupts',
  '@legosim/trace',
  '@legosim/cpu',
  '@legosim/kernel',
  'legosim',
];

export const DEPENDENCY_FIELDS = [
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
  'devDependencies',
] as const;
export type DependencyField = (typeof DEPENDENCY_FIELDS)[number];

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  /** Directory relative to the root, e.g. `packages/x86`. */
  dir: string;
  manifest: Manifest;
}

/** The `packages:` globs of pnpm-workspace.yaml (only the `dir/*` form is used here). */
export function workspaceGlobs(root: string = ROOT): string[] {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^packages:\n((?:[ \t]+-.*\n?)+)/m.exec(yaml);
  if (!block) throw new Error('pnpm-workspace.yaml has no packages: list');
  const globs = [...block[1]!.matchAll(/-\s*['"]?([^'"\n]+?)['"]?\s*$/gm)].map((m) => m[1]!);
  for (const g of globs) {
    if (!/^[\w.-]+\/\*$/.test(g))
      throw new Error(`pnpm-workspace.yaml: unsupported glob '${g}' (expected dir/*)`);
  }
  return globs;
}

/** Every workspace package (a directory matched by the globs that holds a package.json). */
export function workspacePackages(root: string = ROOT): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const glob of workspaceGlobs(root)) {
    const parent = glob.slice(0, -2);
    if (!existsSync(join(root, parent))) continue;
    for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
      const dir = `${parent}/${entry.name}`;
      if (!entry.isDirectory() || !existsSync(join(root, dir, 'package.json'))) continue;
      out.push({
        dir,
        manifest: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest,
      });
    }
  }
  return out.sort((a, b) => a.dir.localeCompare(b.dir));
}

/** The first ```ts / ```js block of a README: the package's runnable example. */
export function readmeExample(markdown: string): { lang: 'ts' | 'js'; code: string } | undefined {
  const m = /^```(ts|typescript|js|javascript)[^\S\n]*\n([\s\S]*?)^```[^\S\n]*$/m.exec(markdown);
  if (!m) return undefined;
  return { lang: m[1]!.startsWith('t') ? 'ts' : 'js', code: m[2]! };
}
