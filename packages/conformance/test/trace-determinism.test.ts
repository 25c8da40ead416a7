// The same program, recorded twice with `legosim run --trace`, gives byte-identical trace
// files: the header holds no host time or path that varies, and every event's time is
// simulated, so a trace is a reproducible artifact (diffable, cacheable, golden-testable).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrace } from '@legosim/trace';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../src/cli.js';
import { buildProbe, hasCompiler } from '../src/probes.js';
import { BUSYBOX } from './native.js';

const STDIN = new TextEncoder().encode('legosim trace determinism\n'.repeat(200));
const dir = mkdtempSync(join(tmpdir(), 'legosim-trace-det-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Records `legosim run --trace FILE ARGS...` twice and returns both files' bytes. */
async function recordTwice(name: string, args: string[], status: number, stdin?: Uint8Array): Promise<[Uint8Array, Uint8Array]> {
  const files: Uint8Array[] = [];
  for (const run of [1, 2]) {
    const file = join(dir, `${name}-${run}.lgstrace`);
    const r = await runCli(['run', '--trace', file, ...args], stdin);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(status);
    files.push(readFileSync(file));
  }
  return [files[0]!, files[1]!];
}

function expectIdentical(a: Uint8Array, b: Uint8Array): void {
  const trace = readTrace(a);
  expect(trace.events.filter((e) => e.type === 'syscall_entry').length).toBeGreaterThan(0);
  expect(b.length).toBe(a.length);
  // the first differing byte, not a dump of two arrays
  let first = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      first = i;
      break;
    }
  }
  expect(first, 'offset of the first byte that differs').toBe(-1);
}

describe('trace determinism: two recordings of one run are byte-identical', () => {
  test.skipIf(!hasCompiler('glibc'))('hello (static glibc probe)', async () => {
    const prog = buildProbe('hello', 'glibc');
    const [a, b] = await recordTwice('hello', [prog], 3); // hello.c exits 3
    expectIdentical(a, b);
  });

  test.skipIf(!existsSync(BUSYBOX))('busybox sha256sum with fixed stdin', async () => {
    const [a, b] = await recordTwice('sha256sum', [BUSYBOX, 'sha256sum'], 0, STDIN);
    expectIdentical(a, b);
  });
});
