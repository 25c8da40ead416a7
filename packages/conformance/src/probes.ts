import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The two libcs the differential tests build with. */
export type Libc = 'musl' | 'glibc';

const COMPILER: Record<Libc, string> = { musl: 'musl-gcc', glibc: 'gcc' };
const PROBES = join(dirname(fileURLToPath(import.meta.url)), '..', 'probes');
const CACHE = join(tmpdir(), 'legosim-probes');

export function probeSource(name: string): string {
  return join(PROBES, `${name}.c`);
}

/** Whether the compiler for `libc` is installed (`.ci/run` installs musl-tools and gcc). */
export function hasCompiler(libc: Libc): boolean {
  return hasCommand(COMPILER[libc]);
}

/** Whether a host tool (an oracle such as valgrind or babeltrace2) is installed and runs. */
export function hasCommand(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds probes/NAME.c as a static executable with `-O2` against `libc` (`-static`, unless
 * `extraFlags` asks for `-static-pie`) and returns its path. Builds are cached by source
 * hash in the temp directory.
 */
export function buildProbe(name: string, libc: Libc, extraFlags: readonly string[] = []): string {
  const source = readFileSync(probeSource(name));
  const key = createHash('sha256').update(source).update(libc).update(extraFlags.join(' ')).digest('hex').slice(0, 16);
  mkdirSync(CACHE, { recursive: true });
  const out = join(CACHE, `${name}-${libc}-${key}`);
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`;
    const link = extraFlags.includes('-static-pie') ? [] : ['-static'];
    const flags = extraFlags.filter((f) => f !== '-static-pie' && !f.startsWith('-l'));
    const libs = extraFlags.filter((f) => f.startsWith('-l'));
    const pie = extraFlags.includes('-static-pie') ? ['-static-pie'] : [];
    execFileSync(COMPILER[libc], [...link, ...pie, '-O2', ...flags, '-o', tmp, probeSource(name), ...libs], { stdio: 'pipe' });
    renameSync(tmp, out);
  }
  return out;
}
