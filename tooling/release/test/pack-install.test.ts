// The published packages work outside the workspace: `pnpm pack` each public package (as
// `pnpm publish` would: workspace: ranges become real ones), install the tarballs with npm
// into a fresh project in the OS temp directory, compile each library README's example
// (its first ```ts block) with TypeScript against the installed declarations, run it with
// plain node, and check what it prints; run the `legosim` bin. Needs the packages built:
// turbo runs `^build` before this test (turbo.json, `@legosim/release#test`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEPENDENCY_FIELDS,
  type Manifest,
  PUBLIC_PACKAGES,
  ROOT,
  readmeExample,
  workspacePackages,
} from '../src/workspace.ts';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const nodeTypes = dirname(dirname(require.resolve('@types/node/package.json')));

/**
 * What each README example prints beyond its documented `console.log(...); // VALUE` lines
 * (those are read from the README itself, see `documentedOutput`): output of loops, and
 * the guest's output and strace lines for the kernel.
 */
const EXPECTED_OUTPUT: Record<string, { stdout: RegExp[]; stderr?: RegExp[] }> = {
  '@legosim/x86': { stdout: [/^401000:\tmov {4}%rsp,%rbp$/m, /^401003:\tsyscall$/m] },
  '@legosim/memory': { stdout: [] },
  '@legosim/interrupts': { stdout: [] },
  '@legosim/cpu': { stdout: [] },
  '@legosim/trace': {
    stdout: [
      /^hello \d+ bytes$/m,
      /^\{"type":"syscall_entry","ts":1000,"cpu":0,"pid":1,"tid":1,"nr":1,"name":"write","args":\["0x1","0x402000","0xe"/m,
      /^\{"type":"syscall_exit","ts":1500,.*"ret":"0xe".*"path":"sysret","strace":"write\(1, \\"hello, world!\\\\n\\", 14\) = 14"\}$/m,
      /^1000 write 0$/m,
      /^1500 14 write\(1, "hello, world!\\n", 14\) = 14$/m,
    ],
  },
  // the kernel example runs ./hello: the CLI's embedded demo program, written by the test
  '@legosim/kernel': {
    stdout: [/^Hello from user mode! This write enters Lego through entry_SYSCALL_64\.$/m],
    stderr: [/^write\(1, "Hello from user mode! This write"\.\.\., 71\) = 71$/m, /^exit_group\(0\) = \?$/m],
  },
};

/**
 * The README's own account of what the example prints: the comment after each one-line
 * `console.log(...);` statement, without a trailing `(explanation)` — `// ef (IRR -> ISR)`
 * documents the line `ef`.
 */
function documentedOutput(code: string): string[] {
  return [...code.matchAll(/^[^\S\n]*(?:if \(.*\) )?console\.log\(.*\);[^\S\n]*\/\/ (.+)$/gm)].map((m) =>
    m[1]!.replace(/\s+\(.*\)\s*$/, '').trim(),
  );
}

/**
 * The environment for npm and node in the scratch project: without pnpm's npm_config_*
 * settings, and without the workspace's node_modules/.bin directories on PATH (so `npx
 * legosim` can only find the bin the tarball installed).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|NODE_OPTIONS$|VITEST|TURBO_)/i.test(k)) continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !dir.startsWith(ROOT))
    .join(delimiter);
  return env;
}

function run(
  command: string,
  args: string[],
  cwd: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 240_000 });
  if (r.error) throw new Error(`${command} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const all = workspacePackages();
const published = PUBLIC_PACKAGES.map((name) => {
  const p = all.find((w) => w.manifest.name === name);
  if (!p) throw new Error(`public package ${name} is not in the workspace`);
  return p;
});

describe('the packed packages, installed with npm outside the workspace', () => {
  let project: string;
  const packed = new Map<string, { tarball: string; manifest: Manifest }>();
  let install: { status: number | null; stdout: string; stderr: string };
  let thirdParty: string[] = [];

  beforeAll(() => {
    for (const p of published) {
      const dist = join(ROOT, p.dir, 'dist');
      if (!existsSync(join(dist, 'index.js'))) {
        // (whether dist is current is turbo's business: `@legosim/release#test` depends on ^build)
        throw new Error(`${p.dir}/dist is missing: run \`pnpm build\` (turbo builds it before this test)`);
      }
    }
    project = mkdtempSync(join(tmpdir(), 'legosim-pack-'));
    const tarballs = join(project, 'tarballs');
    mkdirSync(tarballs);
    for (const p of published) {
      const out = execFileSync('pnpm', ['pack', '--json', '--pack-destination', tarballs], {
        cwd: join(ROOT, p.dir),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const { filename } = JSON.parse(out) as { filename: string };
      const manifest = JSON.parse(
        execFileSync('tar', ['-xOzf', filename, 'package/package.json'], { encoding: 'utf8' }),
      ) as Manifest;
      packed.set(p.manifest.name, { tarball: filename, manifest });
    }
    // runtime dependencies outside this set would come from the npm registry
    thirdParty = [...packed.values()].flatMap(({ manifest }) =>
      [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})].filter(
        (d) => !packed.has(d),
      ),
    );
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'legosim-pack-check', private: true, type: 'module' }, null, 2)}\n`,
    );
    install = run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        ...(thirdParty.length === 0 ? ['--offline'] : []),
        ...[...packed.values()].map((p) => p.tarball),
      ],
      project,
    );
  }, 300_000);

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('covers every public package of the workspace', () => {
    const publicNames = all.filter((p) => !p.manifest.private).map((p) => p.manifest.name);
    expect([...publicNames].sort()).toEqual([...PUBLIC_PACKAGES].sort());
  });

  it('publishes real ranges for internal dependencies, and only each other at run time', () => {
    for (const [name, { manifest }] of packed) {
      for (const field of DEPENDENCY_FIELDS) {
        for (const [dep, spec] of Object.entries(manifest[field] ?? {})) {
          expect(spec, `${name} ${field}.${dep}`).not.toMatch(/^workspace:/);
          if (field !== 'devDependencies' && packed.has(dep)) {
            expect(spec, `${name} → ${dep}`).toBe(`^${packed.get(dep)!.manifest.version}`);
          }
        }
      }
    }
    expect(thirdParty, 'third-party runtime dependencies (installed from the registry)').toEqual([]);
  });

  it('installs the tarballs with npm', () => {
    expect(install.status, install.stderr).toBe(0);
    for (const name of packed.keys()) {
      const installed = JSON.parse(
        readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8'),
      ) as Manifest;
      expect(installed.version).toBe(packed.get(name)!.manifest.version);
      // one copy of each: dependents use the installed tarball, not a registry version
      expect(existsSync(join(project, 'node_modules', name, 'node_modules'))).toBe(false);
    }
  });

  it('compiles every README example against the published types and runs it with node', () => {
    expect(install.status, install.stderr).toBe(0);
    const examples = join(project, 'examples');
    mkdirSync(examples);
    const names = Object.keys(EXPECTED_OUTPUT);
    const documented = new Map<string, string[]>();
    expect([...names].sort()).toEqual(PUBLIC_PACKAGES.filter((n) => n !== 'legosim').sort());
    for (const name of names) {
      // the README as it ships in the tarball
      const example = readmeExample(readFileSync(join(project, 'node_modules', name, 'README.md'), 'utf8'));
      expect(example, `${name}'s README.md has a \`\`\`ts example`).toBeDefined();
      writeFileSync(join(examples, `${name.replace(/^@legosim\//, '')}.${example!.lang}`), example!.code);
      documented.set(name, documentedOutput(example!.code));
    }
    // a strict consumer: NodeNext resolution of the exports maps, no DOM, declarations checked
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: false,
        allowJs: true,
        outDir: 'out',
        rootDir: 'examples',
        typeRoots: [nodeTypes],
        types: ['node'],
      },
      include: ['examples'],
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const compiled = run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
    expect(compiled.stdout + compiled.stderr, 'tsc on the README examples').toBe('');
    expect(compiled.status).toBe(0);

    // the kernel example runs ./hello: the embedded demo of the installed legosim package
    const hello = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { buildDemoProgram } from 'legosim'; import { writeFileSync } from 'node:fs'; writeFileSync('hello', buildDemoProgram());",
      ],
      project,
    );
    expect(hello.status, hello.stderr).toBe(0);

    for (const [name, expected] of Object.entries(EXPECTED_OUTPUT)) {
      const file = join('out', `${name.replace(/^@legosim\//, '')}.js`);
      const r = run(process.execPath, [file], project);
      expect(r.status, `${name} README example: ${r.stderr}`).toBe(0);
      const lines = documented.get(name)!;
      expect(lines.length + expected.stdout.length, `${name}: something to check`).toBeGreaterThan(0);
      // the documented lines, in order, among the lines printed
      const printed = r.stdout.split('\n');
      let at = 0;
      for (const line of lines) {
        const found = printed.indexOf(line, at);
        expect(
          found,
          `${name} README example prints '${line}' (after line ${at}):\n${r.stdout}`,
        ).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
      for (const re of expected.stdout) expect(r.stdout, `${name} README example stdout`).toMatch(re);
      for (const re of expected.stderr ?? []) expect(r.stderr, `${name} README example stderr`).toMatch(re);
    }
  });

  it('runs the legosim bin (through npx): --version, the embedded demo, disasm, a usage error', () => {
    expect(install.status, install.stderr).toBe(0);
    const version = packed.get('legosim')!.manifest.version;
    const v = run('npx', ['--no', '--', 'legosim', '--version'], project);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toBe(`legosim ${version}\n`);

    // the installed bin, as npm links it
    const bin = join(project, 'node_modules', '.bin', 'legosim');
    const demo = run(bin, [], project);
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/^legosim explain — syscall 1 of demo: write \(nr 1\)/m);
    expect(demo.stdout).toMatch(/swapgs/);
    expect(demo.stdout).toMatch(/\[pt_regs->ss \(\+160\)\] = 0x2b/);

    const disasm = run(bin, ['disasm', '--hex', '48 89 e5 0f 05'], project);
    expect(disasm.status, disasm.stderr).toBe(0);
    expect(disasm.stdout).toMatch(/mov {4}%rsp,%rbp/);
    expect(disasm.stdout).toMatch(/syscall/);

    const bad = run(bin, ['frobnicate'], project);
    expect(bad.status).toBe(125);
    expect(bad.stderr).toMatch(/^legosim: unknown command 'frobnicate'/);
  });
});
