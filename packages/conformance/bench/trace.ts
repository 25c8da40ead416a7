/**
 * `pnpm bench` for tracing (@legosim/trace through the CLI): the targets, measured.
 *
 *   (a) bytes per syscall event (syscall_entry + syscall_exit) of a real syscall-heavy run:
 *       the `syscall-loop` probe (musl, 100000 getppid calls) recorded by BinaryTraceWriter
 *       into a file. The whole file (header, strings, end record and the few non-syscall
 *       events: task_new, page faults, timer interrupts...) is divided by the syscall events,
 *       so the figure is an upper bound. (The schema has no per-instruction events to turn off.)
 *   (b) slowdown of that run with tracing to a file descriptor vs without: wall time of
 *       `Kernel.run()` (plus the writer's close, which flushes the last chunk), in process,
 *       median of 7 runs of each, interleaved in alternating order after two warm-ups of each.
 *   (c) reader throughput over that trace file, in the steady state (after a second of
 *       warm-up passes). The headline is the record-level reader
 *       (`forEachTraceRecord`, which decodes and checks every field of every event into one
 *       reused record) over the file read in 1 MiB chunks: the streaming path a tool uses.
 *       For information, object decoding: `readTrace` on the bytes (an object per event,
 *       64-bit values as hex strings) and `readTraceStream` over the same chunks.
 *   (d) peak RSS of `node apps/cli/bin/legosim.js trace FILE --format summary` on a synthetic
 *       10,000,000-event trace written by BinaryTraceWriter straight to a file (never whole in
 *       memory), measured with `/usr/bin/time -v` (or by polling /proc/PID/status VmHWM).
 *       The CLI runs from apps/cli/dist, so this script first runs
 *       `pnpm --filter legosim... build` (the CLI and the packages it depends on); set
 *       LEGOSIM_BENCH_NO_BUILD=1 to use the existing build (e.g. after `turbo run build`).
 *
 * The reader fuzzing at the scale (10,000 mutated files) is in
 * packages/trace/test/fuzz.test.ts, which runs it in a few seconds.
 *
 * Prints one row per number with its target and whether it is met. Exit status 0 either way:
 * numbers, not a gate.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernel } from '@legosim/kernel';
import { BinaryTraceWriter, forEachTraceRecord, readTrace, readTraceStream, u64Words } from '@legosim/trace';
import { buildProbe, hasCompiler } from '../src/index.js';
import { nodeIo } from 'legosim';
import { type BenchResult, recordResults } from './results.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CLI = join(ROOT, 'apps', 'cli', 'bin', 'legosim.js');
const dir = mkdtempSync(join(tmpdir(), 'legosim-bench-trace-'));

interface Row {
  measure: string;
  value: string;
  target: string;
  met: string;
}
const rows: Row[] = [];
/** The same numbers for bench/results.json (the docs' benchmarks page). */
const results: BenchResult[] = [];
const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met');
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One in-process run of PROG; with `traceFile`, a BinaryTraceWriter writes chunks to it. */
function runKernel(prog: string, image: Uint8Array, args: string[], traceFile?: string): { ms: number; syscalls: number } {
  const kernel = (trace?: BinaryTraceWriter) =>
    new Kernel({ host: { write: () => {}, read: () => new Uint8Array(0) }, ...(trace ? { trace } : {}) });
  let fd: number | undefined;
  let writer: BinaryTraceWriter | undefined;
  if (traceFile !== undefined) {
    const out = openSync(traceFile, 'w');
    fd = out;
    writer = new BinaryTraceWriter((chunk) => writeSync(out, chunk), {
      chunks: 'view',
      header: { producer: 'bench/trace.ts', program: prog, argv: [prog, ...args], seed: 1, machine: { cpus: 1 } },
    });
  }
  const k = kernel(writer);
  k.exec(image, [prog, ...args], [], prog);
  const t0 = performance.now();
  const r = k.run();
  writer?.close();
  const ms = performance.now() - t0;
  if (fd !== undefined) closeSync(fd);
  return { ms, syscalls: r.syscalls };
}

/** Plain/traced pairs timed for (b). */
const PAIRS = 7;

async function traceRealRun(): Promise<void> {
  if (!hasCompiler('musl')) {
    console.log('bench: musl-gcc is not installed (apt-get install musl-tools): skipping (a)-(c)');
    for (const m of ['(a) bytes per syscall event', '(b) slowdown with --trace', '(c) record reader', '(c) readTrace'])
      rows.push({ measure: m, value: '-', target: '-', met: verdict(undefined) });
    return;
  }
  const prog = buildProbe('syscall-loop', 'musl');
  const image = readFileSync(prog);
  const N = '100000';
  const file = join(dir, 'syscall-loop.lgstrace');

  // warm up the JIT on both paths, then interleave plain and traced runs
  for (let i = 0; i < 2; i++) {
    runKernel(prog, image, ['20000']);
    runKernel(prog, image, ['20000'], file);
  }
  // pairs in alternating order, so neither side always runs on a warmer (or busier) machine
  const plain: number[] = [];
  const traced: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    if (i % 2 === 0) {
      plain.push(runKernel(prog, image, [N]).ms);
      traced.push(runKernel(prog, image, [N], file).ms);
    } else {
      traced.push(runKernel(prog, image, [N], file).ms);
      plain.push(runKernel(prog, image, [N]).ms);
    }
  }

  const bytes = readFileSync(file);
  // counted in a function of its own, so the decoded events (some 120 MB of objects) are
  // garbage before (c): kept alive, they would slow every reader below with their GC work
  const { events, syscallEvents } = countEvents(bytes);
  const others = events - syscallEvents;
  const perEvent = bytes.length / syscallEvents;
  rows.push({
    measure: `(a) bytes per syscall event (syscall-loop ${N}: ${fmt(bytes.length)} B / ${fmt(syscallEvents)} syscall events; ${others} other events)`,
    value: perEvent.toFixed(2),
    target: '<= 24',
    met: verdict(perEvent <= 24),
  });
  results.push({ bench: 'trace: bytes per syscall event', runner: 'legosim', value: perEvent, unit: 'bytes', better: 'lower', target: 24 });
  const slowdown = (median(traced) / median(plain) - 1) * 100;
  rows.push({
    measure: `(b) slowdown with trace to a file (Kernel.run median of ${PAIRS}: ${median(plain).toFixed(0)} ms plain, ${median(traced).toFixed(0)} ms traced)`,
    value: `${slowdown.toFixed(1)} %`,
    target: '<= 15 %',
    met: verdict(slowdown <= 15),
  });
  results.push({ bench: 'trace: slowdown of a syscall loop traced to a file', runner: 'legosim', value: slowdown, unit: '% slowdown', better: 'lower', target: 15 });

  // (c) readers: steady-state throughput. The reader's hot functions take a few dozen passes
  // to reach V8's optimising tier, so warm up for a second of work (at least 5 passes), then
  // take the median of at least 3 passes (and ~1 s of work).
  const rate = async (pass: () => Promise<number> | number): Promise<number> => {
    for (let warm = 0, t0 = performance.now(); warm < 5 || performance.now() - t0 < 1000; warm++) await pass();
    const times: number[] = [];
    for (let spent = 0; times.length < 20 && (times.length < 3 || spent < 1000); ) {
      const t0 = performance.now();
      if ((await pass()) !== events) throw new Error('reader: wrong event count');
      const ms = performance.now() - t0;
      spent += ms;
      times.push(ms);
    }
    return events / (median(times) / 1000);
  };
  const mps = (r: number): string => `${(r / 1e6).toFixed(2)} M events/s`;

  // the headline: every field of every event decoded (and checked) into the reused record
  const records = await rate(async () => {
    let n = 0;
    await forEachTraceRecord(nodeIo.readChunks(file, 1 << 20), () => {
      n++;
    });
    return n;
  });
  rows.push({
    measure: `(c) record reader: forEachTraceRecord over 1 MiB file chunks, every field decoded (${fmt(events)} events, ${fmt(bytes.length)} B, file reads included)`,
    value: mps(records),
    target: '>= 5 M/s',
    met: verdict(records >= 5e6),
  });
  results.push({ bench: 'trace: record reader throughput', runner: 'legosim', value: records / 1e6, unit: 'M events/s', better: 'higher', target: 5 });

  // for information: the object forms
  const whole = await rate(() => readTrace(bytes).events.length);
  rows.push({ measure: '(c) readTrace on the bytes: an object per event (for information)', value: mps(whole), target: '-', met: '-' });
  const stream = await rate(async () => {
    let n = 0;
    for await (const _ of readTraceStream(nodeIo.readChunks(file, 1 << 20))) n++;
    return n;
  });
  rows.push({ measure: '(c) readTraceStream over 1 MiB file chunks: objects (for information)', value: mps(stream), target: '-', met: '-' });
}

/** Events in a trace, and how many of them are syscall_entry or syscall_exit. */
function countEvents(bytes: Uint8Array): { events: number; syscallEvents: number } {
  const all = readTrace(bytes).events;
  return { events: all.length, syscallEvents: all.filter((e) => e.type === 'syscall_entry' || e.type === 'syscall_exit').length };
}

/** Writes `count` synthetic syscall events (entry/exit pairs) straight to `file`. */
function writeSynthetic(file: string, count: number): number {
  const fd = openSync(file, 'w');
  const writer = new BinaryTraceWriter((chunk) => writeSync(fd, chunk), {
    chunks: 'view',
    header: { producer: 'bench/trace.ts', program: 'synthetic', seed: 1, machine: { cpus: 1 } },
  });
  const calls: [number, string][] = [
    [0, 'read'],
    [1, 'write'],
    [9, 'mmap'],
    [39, 'getpid'],
    [110, 'getppid'],
    [228, 'clock_gettime'],
  ];
  const args = u64Words([3, 0x4c8000, 4096, 0, 0, 0]);
  const regs = new Uint32Array(42);
  regs[2 * 16] = 0x401010; // ip
  regs[2 * 17] = 0x33; // cs
  regs[2 * 18] = 0x246; // flags
  regs[2 * 19] = 0xffffe000; // sp
  regs[2 * 19 + 1] = 0x7fff;
  regs[2 * 20] = 0x2b; // ss
  const ptRegs = -0x77fffffb70a8;
  const sp0 = -0x77fffffb7000;
  writer.taskNew(0, 0, 1, 1, undefined, 'synthetic');
  let ts = 1000;
  // the task_new, then entry/exit pairs, then one last entry (exit_group's, never returning)
  for (let i = 1; i + 1 < count; i += 2) {
    const [nr, name] = calls[(i >> 1) % calls.length]!;
    args[0] = i & 0xff;
    regs[2 * 15] = nr; // orig_ax
    regs[2 * 14] = nr; // di-ish variation
    regs[2 * 16] = 0x401010 + ((i >> 1) & 0xf) * 4; // ip
    writer.syscallEntry(ts, 0, 1, 1, nr, name, args, ptRegs, sp0, regs, true);
    ts += 150 + (i & 31);
    writer.syscallExit(ts, 0, 1, 1, nr, nr === 9 ? 0x7f0000000000 + i * 4096 : i & 0xffff, true, false, 'sysret');
    ts += 300 + (i & 63);
  }
  if (count % 2 === 0) writer.syscallEntry(ts, 0, 1, 1, 231, 'exit_group', args, ptRegs, sp0, regs, true);
  writer.close();
  closeSync(fd);
  return writer.eventCount;
}

/** Peak RSS in kB of `node CLI args...`, with its stdout. */
async function peakRss(args: string[]): Promise<{ kb: number | undefined; stdout: string; how: string; ms: number }> {
  const t0 = performance.now();
  if (existsSync('/usr/bin/time')) {
    const r = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    if (r.status !== 0) console.log(r.stderr);
    return { kb: m ? Number(m[1]) : undefined, stdout: r.stdout, how: '/usr/bin/time -v', ms: performance.now() - t0 };
  }
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  let kb: number | undefined;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) kb = Math.max(kb ?? 0, Number(m[1]));
    } catch {
      // exited
    }
  }, 10);
  await new Promise((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  return { kb, stdout, how: 'polling /proc/PID/status VmHWM', ms: performance.now() - t0 };
}

async function rssCheck(): Promise<void> {
  if (process.env.LEGOSIM_BENCH_NO_BUILD !== '1') {
    const b = spawnSync('pnpm', ['--filter', 'legosim...', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (b.status !== 0) {
      console.log(b.stdout, b.stderr);
      throw new Error('pnpm --filter legosim... build failed');
    }
  }
  const EVENTS = 10_000_000;
  const file = join(dir, 'synthetic-10m.lgstrace');
  const t0 = performance.now();
  const written = writeSynthetic(file, EVENTS);
  const writeMs = performance.now() - t0;
  const size = statSync(file).size;
  const r = await peakRss(['trace', file, '--format', 'summary']);
  const seen = /^events +(\d+)$/m.exec(r.stdout);
  if (!seen || Number(seen[1]) !== written) {
    console.log(r.stdout);
    throw new Error(`summary of the 10M-event trace: expected ${written} events`);
  }
  const mb = r.kb === undefined ? undefined : r.kb / 1024;
  rows.push({
    measure: `(d) peak RSS of \`legosim trace --format summary\` on ${fmt(written)} events (${(size / 2 ** 20).toFixed(0)} MiB file written in ${(writeMs / 1000).toFixed(1)} s; export ${(r.ms / 1000).toFixed(1)} s; ${r.how})`,
    value: mb === undefined ? '-' : `${mb.toFixed(0)} MB`,
    target: '< 200 MB',
    met: verdict(mb === undefined ? undefined : mb < 200),
  });
  if (mb !== undefined) results.push({ bench: 'trace: peak RSS of a 10M-event summary export', runner: 'legosim', value: mb, unit: 'MB', better: 'lower', target: 200 });
}

try {
  await traceRealRun();
  await rssCheck();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const keys = ['measure', 'value', 'target', 'met'] as const;
const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)));
const line = (r: Row): string => keys.map((k, i) => r[k].padEnd(widths[i]!)).join('  ').trimEnd();
console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}`);
console.log(line({ measure: 'measure', value: 'value', target: 'target', met: 'met' }));
for (const r of rows) console.log(line(r));
recordResults('trace', results);
