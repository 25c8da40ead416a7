// Translation blocks (hot guest code compiled to JavaScript) are an implementation choice,
// invisible in every result: with and without `--no-translate`, a run prints the same
// output, exits the same way, retires the same instructions (user and kernel, per CPU),
// takes the same TLB misses and page walks, and records a byte-identical trace. The runs
// below fault inside hot loops (demand paging) and at calls inside blocks, take timer
// interrupts, switch tasks, run on two CPUs, deliver signals and modify their own code.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, runCli } from '../src/index.js';
import { BUSYBOX, expectSameLines, runNative } from './native.js';

const dir = mkdtempSync(join(tmpdir(), 'legosim-translate-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  status: number;
  stdout: string;
  /** stderr without the --json line. */
  stderr: string;
  counters: Record<string, unknown>;
  trace: Uint8Array;
}

async function run(name: string, args: readonly string[], translate: boolean, stdin?: Uint8Array): Promise<Outcome> {
  const file = join(dir, `${name}-${translate ? 'blocks' : 'interpreter'}.lgstrace`);
  const flags = ['--json', '--trace', file, ...(translate ? [] : ['--no-translate'])];
  const r = await runCli(['run', ...flags, ...args], stdin);
  const lines = r.stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith('{"status"'));
  expect(at, `--json line in stderr: ${r.stderr}`).toBeGreaterThanOrEqual(0);
  const counters = JSON.parse(lines[at]!) as Record<string, unknown>;
  lines.splice(at, 1);
  return { status: r.status, stdout: r.stdout, stderr: lines.join('\n'), counters, trace: readFileSync(file) };
}

/** Everything but the wall time and what is derived from it. */
function deterministic(counters: Record<string, unknown>): Record<string, unknown> {
  const { wall_ms: _wall, mips: _mips, translated_instructions: _t, translation_blocks: _b, ...rest } = counters;
  const cpus = (rest.cpus as Record<string, unknown>[]).map(({ translated_instructions: _x, ...c }) => c);
  return { ...rest, cpus };
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * Runs `args` both ways and expects identical outcomes; returns the share of instructions
 * the translated run retired inside blocks.
 */
async function expectSameBothWays(name: string, args: readonly string[], stdin?: Uint8Array): Promise<number> {
  const blocks = await run(name, args, true, stdin);
  const interpreter = await run(name, args, false, stdin);
  expect(blocks.status).toBe(interpreter.status);
  expect(blocks.stdout).toBe(interpreter.stdout);
  expect(blocks.stderr).toBe(interpreter.stderr);
  expect(deterministic(blocks.counters)).toEqual(deterministic(interpreter.counters));
  expect(firstDifference(blocks.trace, interpreter.trace), 'offset of the first trace byte that differs').toBe(-1);
  expect(interpreter.counters.translated_instructions).toBe(0);
  return (blocks.counters.translated_instructions as number) / (blocks.counters.instructions as number);
}

const STDIN = new TextEncoder().encode('translation blocks change nothing\n'.repeat(4000));

describe('translation blocks change no result, count or trace', () => {
  test.skipIf(!existsSync(BUSYBOX))('busybox sha256sum: almost everything runs in blocks', async () => {
    const share = await expectSameBothWays('sha256sum', [BUSYBOX, 'sha256sum'], STDIN);
    expect(share).toBeGreaterThan(0.9);
  }, 120_000);

  test.skipIf(!existsSync(BUSYBOX))('a busybox pipeline at HZ=1000: page faults in hot loops, interrupts, task switches', async () => {
    const script = 'seq 1 5000 | sort -r | md5sum; x=0; for i in 1 2 3 4 5 6 7 8 9; do x=$((x+i)); done; echo $x';
    const share = await expectSameBothWays('pipeline', ['--timer-hz', '1000', BUSYBOX, 'sh', '-c', script]);
    expect(share).toBeGreaterThan(0.5);
  }, 180_000);

  test.skipIf(!hasCompiler('musl'))('threads on two CPUs with reschedule IPIs and a TLB shootdown', async () => {
    await expectSameBothWays('smp', ['--cpus', '2', buildProbe('smp', 'musl')]);
  }, 180_000);

  test.skipIf(!hasCompiler('musl'))('signals: handlers, SIGSEGV, SIGFPE, alarms', async () => {
    await expectSameBothWays('signals', [buildProbe('signals', 'musl')]);
  }, 180_000);

  test.skipIf(!hasCompiler('glibc'))('long double printf: page faults at calls inside hot blocks', async () => {
    await expectSameBothWays('longdouble', [buildProbe('longdouble', 'glibc', ['-lm'])]);
  }, 180_000);

  test.skipIf(!hasCompiler('glibc'))('a fault that kills the process', async () => {
    await expectSameBothWays('fault', [buildProbe('fault', 'glibc'), 'null']);
  }, 120_000);

  test.skipIf(!hasCompiler('musl'))('self-modifying code', async () => {
    await expectSameBothWays('smc', [buildProbe('smc', 'musl')]);
  }, 120_000);
});

// The host CPU sees a store into the instruction stream at once, and so must a block that
// was compiled before the store: it ends after the store, and the new bytes are decoded.
describe.each(['musl', 'glibc'] as const)('self-modifying code (%s)', (libc) => {
  test.skipIf(!hasCompiler(libc))('matches the host CPU', async () => {
    const prog = buildProbe('smc', libc);
    const native = runNative(prog);
    const lego = await runCli(['run', prog]);
    expect(lego.stderr).toBe('');
    expect(lego.status).toBe(native.status);
    expectSameLines(native.stdout, lego.stdout);
    expect(native.stdout).toContain('store into the next instruction: 0 wrong');
  }, 120_000);
});
