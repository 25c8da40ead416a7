// `changeset version` on a scratch copy of the workspace (manifests, pnpm-workspace.yaml,
// .changeset/, existing CHANGELOGs; the real repository is never touched) gives every
// package the bump the pending changesets and the config call for, writes each changeset's
// text into the CHANGELOG of each package it names, lists updated internal dependencies, and
// consumes the changesets.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Bump,
  type Changeset,
  changelogSection,
  HEADINGS,
  increment,
  normalizeSpace,
  type PlannedRelease,
  parseChangeset,
  planReleases,
  satisfies,
} from '../src/changesets.ts';
import { type Manifest, ROOT, type WorkspacePackage, workspacePackages } from '../src/workspace.ts';

const ORDER: Record<Bump, number> = { patch: 1, minor: 2, major: 3 };

interface ChangesetConfig {
  updateInternalDependencies: Bump;
  privatePackages?: { version?: boolean };
  fixed: string[][];
  linked: string[][];
  ignore: string[];
}

function pendingChangesets(root: string): Changeset[] {
  return readdirSync(join(root, '.changeset'))
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort()
    .map((f) => parseChangeset(f.slice(0, -3), readFileSync(join(root, '.changeset', f), 'utf8')));
}

/** The files `changeset version` reads and writes, copied from the working tree. */
function scratchCopy(packages: readonly WorkspacePackage[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'legosim-changeset-'));
  for (const f of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(ROOT, f), join(dir, f));
  cpSync(join(ROOT, '.changeset'), join(dir, '.changeset'), { recursive: true });
  for (const p of packages) {
    mkdirSync(join(dir, p.dir), { recursive: true });
    for (const f of ['package.json', 'CHANGELOG.md']) {
      if (existsSync(join(ROOT, p.dir, f))) cpSync(join(ROOT, p.dir, f), join(dir, p.dir, f));
    }
  }
  return dir;
}

/** What `changeset version` would change in the real repository: versions, changesets, CHANGELOGs. */
function repoState(packages: readonly WorkspacePackage[]): string[] {
  return [
    ...readdirSync(join(ROOT, '.changeset')).map((f) => `.changeset/${f}`),
    ...packages.map((p) => {
      const m = JSON.parse(readFileSync(join(ROOT, p.dir, 'package.json'), 'utf8')) as Manifest;
      return `${p.dir} ${m.version} CHANGELOG.md:${existsSync(join(ROOT, p.dir, 'CHANGELOG.md')) ? statSync(join(ROOT, p.dir, 'CHANGELOG.md')).size : '-'}`;
    }),
  ];
}

const changesetBin = join(
  dirname(createRequire(import.meta.url).resolve('@changesets/cli/package.json')),
  'bin.js',
);

describe('changeset version on a scratch copy', () => {
  const packages = workspacePackages();
  const byName = new Map(packages.map((p) => [p.manifest.name, p]));
  const config = JSON.parse(readFileSync(join(ROOT, '.changeset/config.json'), 'utf8')) as ChangesetConfig;
  const changesets = pendingChangesets(ROOT);
  let plan: Map<string, PlannedRelease>;
  let scratch: string;
  let before: string[];
  const after = (dir: string): Manifest =>
    JSON.parse(readFileSync(join(scratch, dir, 'package.json'), 'utf8')) as Manifest;
  const changelog = (dir: string): string => readFileSync(join(scratch, dir, 'CHANGELOG.md'), 'utf8');

  beforeAll(() => {
    // the expectation below models the config this repository uses; other settings need more
    expect(config.fixed, 'fixed groups are not modelled').toEqual([]);
    expect(config.linked, 'linked groups are not modelled').toEqual([]);
    expect(config.ignore, 'ignored packages are not modelled').toEqual([]);
    expect(config.privatePackages?.version, 'private packages are not versioned').toBe(false);
    plan = planReleases(packages, changesets);
    before = repoState(packages);
    scratch = scratchCopy(packages);
    execFileSync(process.execPath, [changesetBin, 'version'], {
      cwd: scratch,
      stdio: 'pipe',
      encoding: 'utf8',
    });
  }, 120_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('has pending changesets to check', () => {
    expect(changesets.length).toBeGreaterThan(0);
    expect(plan.size).toBeGreaterThan(0);
  });

  it('gives every package the expected version', () => {
    const expected = Object.fromEntries(
      packages.map((p) => [p.manifest.name, plan.get(p.manifest.name)?.newVersion ?? p.manifest.version]),
    );
    const actual = Object.fromEntries(packages.map((p) => [p.manifest.name, after(p.dir).version]));
    expect(actual).toEqual(expected);
    for (const p of packages.filter((p) => p.manifest.private))
      expect(plan.has(p.manifest.name), p.manifest.name).toBe(false);
  });

  it('writes each changeset into the CHANGELOG of each package it names, under its bump', () => {
    for (const release of plan.values()) {
      const dir = byName.get(release.name)!.dir;
      const section = changelogSection(changelog(dir), release.newVersion);
      expect(section, `${dir}/CHANGELOG.md has a ## ${release.newVersion} section`).toBeDefined();
      for (const cs of changesets) {
        const bump = cs.releases.get(release.name);
        if (bump === undefined) continue;
        const part = section!.get(HEADINGS[bump]) ?? '';
        expect(
          normalizeSpace(part),
          `${dir}/CHANGELOG.md, ${HEADINGS[bump]}: the text of .changeset/${cs.id}.md`,
        ).toContain(normalizeSpace(cs.summary));
      }
    }
  });

  it('lists the released internal dependencies in each dependent CHANGELOG and keeps ranges that admit them', () => {
    let checked = 0;
    for (const release of plan.values()) {
      const pkg = byName.get(release.name)!;
      const manifest = after(pkg.dir);
      const section = changelogSection(changelog(pkg.dir), release.newVersion)!;
      const patchPart = section.get(HEADINGS.patch) ?? '';
      for (const [dep, spec] of Object.entries(manifest.dependencies ?? {})) {
        const depRelease = plan.get(dep);
        if (!depRelease) continue;
        // workspace:^ stays in the manifest; pnpm publish writes ^NEW_VERSION (checked in pack-install)
        const range = spec.startsWith('workspace:')
          ? spec.replace('workspace:', '').replace(/^([~^])$/, `$1${depRelease.newVersion}`)
          : spec;
        if (range !== '*')
          expect(satisfies(depRelease.newVersion, range), `${release.name}: ${dep} ${spec}`).toBe(true);
        if (ORDER[depRelease.bump] >= ORDER[config.updateInternalDependencies]) {
          expect(patchPart, `${pkg.dir}/CHANGELOG.md lists ${dep}@${depRelease.newVersion}`).toContain(
            `- ${dep}@${depRelease.newVersion}`,
          );
          checked++;
        }
      }
    }
    // kernel and the CLI depend on other released packages in this repository
    expect(checked).toBeGreaterThan(0);
  });

  it('consumes the changesets and leaves the real repository alone', () => {
    const left = readdirSync(join(scratch, '.changeset')).filter(
      (f) => f.endsWith('.md') && f !== 'README.md',
    );
    expect(left).toEqual([]);
    expect(repoState(packages)).toEqual(before);
  });
});

describe('the release-plan model itself', () => {
  const pkg = (
    name: string,
    version: string,
    deps: Record<string, string> = {},
    priv = false,
  ): WorkspacePackage => ({
    dir: name,
    manifest: { name, version, dependencies: deps, ...(priv ? { private: true } : {}) },
  });

  it('patches a dependent whose range the new version leaves, and only then', () => {
    const packages = [
      pkg('a', '0.1.0'),
      pkg('b', '0.1.0', { a: 'workspace:^' }),
      pkg('c', '1.0.0', { a: 'workspace:*' }),
      pkg('p', '0.0.0', { a: 'workspace:^' }, true),
    ];
    const minor = planReleases(packages, [parseChangeset('x', "---\n'a': minor\n---\n\ntext\n")]);
    expect([...minor.values()].map((r) => `${r.name}@${r.newVersion}`)).toEqual([
      'a@0.2.0',
      'b@0.1.1',
      'c@1.0.1',
    ]);
    const patch = planReleases(
      [pkg('a', '1.0.0'), pkg('b', '0.1.0', { a: 'workspace:^' })],
      [parseChangeset('x', '---\n"a": patch\n---\ntext')],
    );
    expect([...patch.keys()]).toEqual(['a']);
  });

  it('takes the highest bump and knows semver', () => {
    const plan = planReleases(
      [pkg('a', '1.2.3')],
      [parseChangeset('x', "---\n'a': patch\n---\nx"), parseChangeset('y', "---\n'a': major\n---\ny")],
    );
    expect(plan.get('a')).toMatchObject({ bump: 'major', newVersion: '2.0.0', changesets: ['x', 'y'] });
    expect(increment('0.1.9', 'minor')).toBe('0.2.0');
    expect(satisfies('0.1.5', '^0.1.0')).toBe(true);
    expect(satisfies('0.2.0', '^0.1.0')).toBe(false);
    expect(satisfies('1.9.0', '^1.0.0')).toBe(true);
    expect(satisfies('1.1.0', '~1.0.0')).toBe(false);
    expect(() => parseChangeset('bad', 'no front matter')).toThrow(/front matter/);
  });
});
