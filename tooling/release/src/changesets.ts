// What `changeset version` should do with the pending changesets, computed independently
// of @changesets/* from the changeset files, the config and the manifests: each package's
// bump, and the patch bumps of dependents whose range the new version leaves.
import { DEPENDENCY_FIELDS, type WorkspacePackage } from './workspace.ts';

export type Bump = 'major' | 'minor' | 'patch';
const ORDER: Record<Bump, number> = { patch: 1, minor: 2, major: 3 };

export interface Changeset {
  id: string;
  releases: Map<string, Bump>;
  summary: string;
}

/** Parses a `.changeset/NAME.md` file: YAML front matter of `"pkg": bump` lines, then the text. */
export function parseChangeset(id: string, text: string): Changeset {
  const m = /^---\n([\s\S]*?)\n?---\n([\s\S]*)$/.exec(text.replace(/\r\n/g, '\n'));
  if (!m) throw new Error(`.changeset/${id}.md: no front matter between --- lines`);
  const releases = new Map<string, Bump>();
  for (const line of m[1]!.split('\n')) {
    if (line.trim() === '') continue;
    const r = /^\s*(['"]?)([^'":]+)\1\s*:\s*(major|minor|patch)\s*$/.exec(line);
    if (!r) throw new Error(`.changeset/${id}.md: cannot read front matter line '${line}'`);
    releases.set(r[2]!, r[3] as Bump);
  }
  return { id, releases, summary: m[2]!.trim() };
}

export function maxBump(a: Bump | undefined, b: Bump): Bump {
  return a === undefined || ORDER[b] > ORDER[a] ? b : a;
}

interface Version {
  major: number;
  minor: number;
  patch: number;
}

function parseVersion(v: string): Version {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
  if (!m) throw new Error(`unsupported version '${v}' (expected MAJOR.MINOR.PATCH)`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** semver's inc(): 0.1.0 minor → 0.2.0, 1.2.3 major → 2.0.0. */
export function increment(version: string, bump: Bump): string {
  const v = parseVersion(version);
  if (bump === 'major') return `${v.major + 1}.0.0`;
  if (bump === 'minor') return `${v.major}.${v.minor + 1}.0`;
  return `${v.major}.${v.minor}.${v.patch + 1}`;
}

function compare(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Whether `version` satisfies `range` (exact, `^x.y.z`, `~x.y.z` or `*`: what this workspace uses). */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (range === '*') return true;
  const m = /^([~^]?)(\d+\.\d+\.\d+)$/.exec(range);
  if (!m) throw new Error(`unsupported range '${range}'`);
  const low = parseVersion(m[2]!);
  if (m[1] === '') return compare(v, low) === 0;
  if (compare(v, low) < 0) return false;
  if (m[1] === '~') return v.major === low.major && v.minor === low.minor;
  // caret: the left-most non-zero component is fixed
  if (low.major > 0) return v.major === low.major;
  if (low.minor > 0) return v.major === 0 && v.minor === low.minor;
  return v.major === 0 && v.minor === 0 && v.patch === low.patch;
}

/** The range a `workspace:` specifier stands for, given the dependency's current version. */
export function effectiveRange(specifier: string, dependencyVersion: string): string {
  if (!specifier.startsWith('workspace:')) return specifier;
  const rest = specifier.slice('workspace:'.length);
  if (rest === '*') return dependencyVersion; // workspace:* is the exact current version
  if (rest === '^' || rest === '~') return `${rest}${dependencyVersion}`;
  return rest;
}

export interface PlannedRelease {
  name: string;
  bump: Bump;
  oldVersion: string;
  newVersion: string;
  /** The changesets that name this package (a dependent-only release has none). */
  changesets: string[];
}

/**
 * The release plan: every package a changeset names gets its highest bump; then, until
 * nothing changes, a public package that is not released yet and whose dependencies,
 * peerDependencies or optionalDependencies range no longer admits a released package's new
 * version gets a patch. (`updateInternalDependencies` decides when ranges are rewritten,
 * not who is released; devDependencies never cause a release.) Private packages are not
 * versioned (`privatePackages.version: false`).
 */
export function planReleases(
  packages: readonly WorkspacePackage[],
  changesets: readonly Changeset[],
): Map<string, PlannedRelease> {
  const byName = new Map(packages.map((p) => [p.manifest.name, p]));
  const plan = new Map<string, PlannedRelease>();
  for (const cs of changesets) {
    for (const [name, bump] of cs.releases) {
      const pkg = byName.get(name);
      if (!pkg) throw new Error(`.changeset/${cs.id}.md names '${name}', which is not a workspace package`);
      if (pkg.manifest.private) throw new Error(`.changeset/${cs.id}.md names private package '${name}'`);
      const prev = plan.get(name);
      plan.set(name, {
        name,
        bump: maxBump(prev?.bump, bump),
        oldVersion: pkg.manifest.version,
        newVersion: '',
        changesets: [...(prev?.changesets ?? []), cs.id],
      });
    }
  }
  for (;;) {
    for (const r of plan.values()) r.newVersion = increment(r.oldVersion, r.bump);
    let added = false;
    for (const dependent of packages) {
      const m = dependent.manifest;
      if (m.private || plan.has(m.name)) continue;
      for (const field of DEPENDENCY_FIELDS) {
        if (field === 'devDependencies') continue;
        for (const [dep, spec] of Object.entries(m[field] ?? {})) {
          const release = plan.get(dep);
          if (!release || plan.has(m.name)) continue;
          if (!satisfies(release.newVersion, effectiveRange(spec, release.oldVersion))) {
            plan.set(m.name, {
              name: m.name,
              bump: 'patch',
              oldVersion: m.version,
              newVersion: '',
              changesets: [],
            });
            added = true;
          }
        }
      }
    }
    if (!added) return plan;
  }
}

/** Collapses whitespace, so a summary matches its re-indented copy in a CHANGELOG. */
export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The `## VERSION` section of a CHANGELOG.md, split into its `### ... Changes` parts. */
export function changelogSection(changelog: string, version: string): Map<string, string> | undefined {
  const start = changelog.indexOf(`\n## ${version}\n`);
  if (start < 0) return undefined;
  const rest = changelog.slice(start + `\n## ${version}\n`.length);
  const end = rest.search(/^## /m);
  const body = end < 0 ? rest : rest.slice(0, end);
  const parts = new Map<string, string>();
  for (const m of body.matchAll(/^### (.+)\n([\s\S]*?)(?=^### |(?![\s\S]))/gm))
    parts.set(m[1]!.trim(), m[2]!);
  return parts;
}

export const HEADINGS: Record<Bump, string> = {
  major: 'Major Changes',
  minor: 'Minor Changes',
  patch: 'Patch Changes',
};
