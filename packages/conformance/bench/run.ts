/**
 * `pnpm bench` for the machine as a whole: syscall round trips per second through the
 * full entry path, fork+exec+wait rounds per second, guest MIPS on a compute loop and on
 * busybox sha256sum, each beside the same binary run
 * natively and under qemu-x86_64 (when installed). Numbers, not pass/fail.
 */
import { spawnSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Kernel } from '@legosim/kernel';
import { buildProbe, hasCompiler } from '../src/index.js';
import { type BenchResult, recordResults } from './results.js';

interface Row {
  bench: string;
  runner: string;
  wall: string;
  rate: string;
}

const rows: Row[] = [];
/** The same numbers for bench/results.json (the docs' benchmarks page). */
const results: BenchResult[] = [];
const perSecond = (bench: string, runner: string, count: number, ms: number, unit: string, target?: number): void => {
  results.push({ bench, runner, value: count / (ms / 1000), unit, better: 'higher', ...(target === undefined ? {} : { target }) });
};

function legosim(prog: string, args: string[]): { ms: number; instructions: number; syscalls: number; out: string } {
  const out: string[] = [];
  const kernel = new Kernel({ host: { write: (_fd, d) => out.push(new TextDecoder().decode(d)), read: () => new Uint8Array(0) } });
  kernel.exec(readFileSync(prog), [prog, ...args], [], prog);
  const t0 = performance.now();
  const r = kernel.run();
  const ms = performance.now() - t0;
  return { ms, instructions: r.instructions, syscalls: r.syscalls, out: out.join('') };
}

/** Wall time of a host command, or undefined when it is not installed or fails. */
function timed(cmd: string, args: string[]): number | undefined {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  if (r.error || r.status !== 0) return undefined;
  return performance.now() - t0;
}

function native(prog: string, args: string[]): number {
  const t0 = performance.now();
  spawnSync(prog, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  return performance.now() - t0;
}

if (!hasCompiler('musl')) {
  console.log('bench: musl-gcc is not installed (apt-get install musl-tools); nothing to measure');
  process.exit(0);
}

// warm up the JIT on a short run of each program first
const syscallProg = buildProbe('syscall-loop', 'musl');
const computeProg = buildProbe('compute', 'musl');
legosim(syscallProg, ['20000']);
legosim(computeProg, ['1']);

const N = 200_000;
const s = legosim(syscallProg, [String(N)]);
rows.push({ bench: `getppid loop (${N})`, runner: 'legosim', wall: `${s.ms.toFixed(0)} ms`, rate: `${Math.round(N / (s.ms / 1000)).toLocaleString('en-US')} round trips/s` });
perSecond('syscall round trips (getppid)', 'legosim', N, s.ms, 'round trips/s', 500_000);
const sq = timed('qemu-x86_64', [syscallProg, String(N)]);
if (sq !== undefined) rows.push({ bench: `getppid loop (${N})`, runner: 'qemu-x86_64', wall: `${sq.toFixed(0)} ms`, rate: `${Math.round(N / (sq / 1000)).toLocaleString('en-US')} round trips/s` });
if (sq !== undefined) perSecond('syscall round trips (getppid)', 'qemu-x86_64', N, sq, 'round trips/s');
const sn = native(syscallProg, [String(N)]);
rows.push({ bench: `getppid loop (${N})`, runner: 'native', wall: `${sn.toFixed(0)} ms`, rate: `${Math.round(N / (sn / 1000)).toLocaleString('en-US')} round trips/s` });
perSecond('syscall round trips (getppid)', 'native', N, sn, 'round trips/s');

// processes: fork, execve of the same program, wait4, round after round
const forkProg = buildProbe('forkexec', 'musl');
const F = 200;
legosim(forkProg, ['20']);
const f = legosim(forkProg, [String(F)]);
const fOk = f.out === `${F} fork+exec+wait rounds, status sum ${7 * F}\n` ? '' : ' (OUTPUT DIFFERS)';
rows.push({ bench: `fork+exec+wait (${F})`, runner: 'legosim', wall: `${f.ms.toFixed(0)} ms`, rate: `${Math.round(F / (f.ms / 1000)).toLocaleString('en-US')} rounds/s${fOk}` });
perSecond('fork+exec+wait', 'legosim', F, f.ms, 'rounds/s');
const fq = timed('qemu-x86_64', [forkProg, String(F)]);
if (fq !== undefined) rows.push({ bench: `fork+exec+wait (${F})`, runner: 'qemu-x86_64', wall: `${fq.toFixed(0)} ms`, rate: `${Math.round(F / (fq / 1000)).toLocaleString('en-US')} rounds/s` });
if (fq !== undefined) perSecond('fork+exec+wait', 'qemu-x86_64', F, fq, 'rounds/s');
const fn = native(forkProg, [String(F)]);
rows.push({ bench: `fork+exec+wait (${F})`, runner: 'native', wall: `${fn.toFixed(0)} ms`, rate: `${Math.round(F / (fn / 1000)).toLocaleString('en-US')} rounds/s` });
perSecond('fork+exec+wait', 'native', F, fn, 'rounds/s');

const R = '3';
const c = legosim(computeProg, [R]);
rows.push({ bench: `compute (sieve ×${R})`, runner: 'legosim', wall: `${c.ms.toFixed(0)} ms`, rate: `${(c.instructions / c.ms / 1000).toFixed(1)} MIPS (${(c.instructions / 1e6).toFixed(1)} M instructions)` });
perSecond('compute loop (sieve)', 'legosim', c.instructions / 1e6, c.ms, 'MIPS');
const cq = timed('qemu-x86_64', [computeProg, R]);
if (cq !== undefined) rows.push({ bench: `compute (sieve ×${R})`, runner: 'qemu-x86_64', wall: `${cq.toFixed(0)} ms`, rate: `${(c.instructions / cq / 1000).toFixed(1)} MIPS (same instruction count)` });
if (cq !== undefined) perSecond('compute loop (sieve)', 'qemu-x86_64', c.instructions / 1e6, cq, 'MIPS');
const cn = native(computeProg, [R]);
rows.push({ bench: `compute (sieve ×${R})`, runner: 'native', wall: `${cn.toFixed(0)} ms`, rate: `${(c.instructions / cn / 1000).toFixed(1)} MIPS (same instruction count)` });
perSecond('compute loop (sieve)', 'native', c.instructions / 1e6, cn, 'MIPS');

// busybox sha256sum of 8 MB of stdin (the reference workload)
const BUSYBOX = '/bin/busybox';
if (existsSync(BUSYBOX)) {
  const data = new Uint8Array(8 * 1024 * 1024);
  let x = 12345;
  for (let i = 0; i < data.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  const file = join(mkdtempSync(join(tmpdir(), 'legosim-bench-')), 'input.bin');
  writeFileSync(file, data);
  /** busybox sha256sum of `data` on stdin, with the APIC timer at `timerHz` (Lego's HZ; 0 = off). */
  const sha256 = (timerHz: number) => {
    const out: string[] = [];
    let offset = 0;
    const kernel = new Kernel({
      timerHz,
      host: {
        write: (_fd, d) => out.push(new TextDecoder().decode(d)),
        read: (_fd, max) => {
          const chunk = data.subarray(offset, offset + max);
          offset += chunk.length;
          return chunk;
        },
      },
    });
    kernel.exec(readFileSync(BUSYBOX), ['busybox', 'sha256sum'], [], BUSYBOX);
    const t0 = performance.now();
    const r = kernel.run();
    return { ms: performance.now() - t0, r, out: out.join('') };
  };
  const expected = spawnSync(BUSYBOX, ['sha256sum'], { input: data }).stdout.toString();
  // the default HZ (100) is the headline; then HZ=1000 against HZ=0, the interrupt path's cost
  const { ms, r, out } = sha256(100);
  const ok = out === expected ? '' : ' (OUTPUT DIFFERS)';
  rows.push({ bench: 'busybox sha256sum 8 MB', runner: 'legosim', wall: `${ms.toFixed(0)} ms`, rate: `${(r.instructions / ms / 1000).toFixed(1)} MIPS (${(r.instructions / 1e6).toFixed(0)} M instructions)${ok}` });
  perSecond('busybox sha256sum 8 MB', 'legosim', r.instructions / 1e6, ms, 'MIPS', 50);
  const hz0 = sha256(0);
  const hz1000 = sha256(1000);
  const ticks = Math.round(hz1000.r.simulatedNs / 1e6);
  rows.push({ bench: 'busybox sha256sum 8 MB', runner: 'legosim HZ=0', wall: `${hz0.ms.toFixed(0)} ms`, rate: `${(hz0.r.instructions / hz0.ms / 1000).toFixed(1)} MIPS${hz0.out === expected ? '' : ' (OUTPUT DIFFERS)'}` });
  rows.push({
    bench: 'busybox sha256sum 8 MB',
    runner: 'legosim HZ=1000',
    wall: `${hz1000.ms.toFixed(0)} ms`,
    rate: `${(hz1000.r.instructions / hz1000.ms / 1000).toFixed(1)} MIPS, ~${ticks} ticks; slowdown vs HZ=0 ${((hz1000.ms / hz0.ms - 1) * 100).toFixed(1)} % (target <= 5 %)${hz1000.out === expected ? '' : ' (OUTPUT DIFFERS)'}`,
  });
  results.push({ bench: 'timer interrupts: sha256sum at HZ=1000 vs HZ=0', runner: 'legosim', value: (hz1000.ms / hz0.ms - 1) * 100, unit: '% slowdown', better: 'lower', target: 5 });
  const q0 = performance.now();
  const q = spawnSync('qemu-x86_64', [BUSYBOX, 'sha256sum', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  const qms = performance.now() - q0;
  if (q.status === 0) rows.push({ bench: 'busybox sha256sum 8 MB', runner: 'qemu-x86_64', wall: `${qms.toFixed(0)} ms`, rate: `${(r.instructions / qms / 1000).toFixed(1)} MIPS (same instruction count)` });
  if (q.status === 0) perSecond('busybox sha256sum 8 MB', 'qemu-x86_64', r.instructions / 1e6, qms, 'MIPS');
  const n0 = performance.now();
  spawnSync(BUSYBOX, ['sha256sum', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  const nms = performance.now() - n0;
  rows.push({ bench: 'busybox sha256sum 8 MB', runner: 'native', wall: `${nms.toFixed(0)} ms`, rate: `${(r.instructions / nms / 1000).toFixed(1)} MIPS (same instruction count)` });
  perSecond('busybox sha256sum 8 MB', 'native', r.instructions / 1e6, nms, 'MIPS');
}

const widths = ['bench', 'runner', 'wall', 'rate'].map((k) => Math.max(k.length, ...rows.map((r) => r[k as keyof Row].length)));
const line = (r: Row): string => [r.bench, r.runner, r.wall, r.rate].map((v, i) => v.padEnd(widths[i]!)).join('  ');
console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}`);
console.log(line({ bench: 'bench', runner: 'runner', wall: 'wall', rate: 'rate' }));
for (const r of rows) console.log(line(r));
recordResults('run', results);
