/**
 * `pnpm bench` for the machine as a whole: syscall round trips per second through the
 * full entry path, and guest MIPS on a compute loop, each beside the same binary run
 * natively and under qemu-x86_64 (when installed). Numbers, not pass/fail.
 */
import { spawnSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Kernel } from '@legosim/kernel';
import { buildProbe, hasCompiler } from '../src/index.js';

interface Row {
  bench: string;
  runner: string;
  wall: string;
  rate: string;
}

const rows: Row[] = [];

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
const sq = timed('qemu-x86_64', [syscallProg, String(N)]);
if (sq !== undefined) rows.push({ bench: `getppid loop (${N})`, runner: 'qemu-x86_64', wall: `${sq.toFixed(0)} ms`, rate: `${Math.round(N / (sq / 1000)).toLocaleString('en-US')} round trips/s` });
const sn = native(syscallProg, [String(N)]);
rows.push({ bench: `getppid loop (${N})`, runner: 'native', wall: `${sn.toFixed(0)} ms`, rate: `${Math.round(N / (sn / 1000)).toLocaleString('en-US')} round trips/s` });

const R = '3';
const c = legosim(computeProg, [R]);
rows.push({ bench: `compute (sieve ×${R})`, runner: 'legosim', wall: `${c.ms.toFixed(0)} ms`, rate: `${(c.instructions / c.ms / 1000).toFixed(1)} MIPS (${(c.instructions / 1e6).toFixed(1)} M instructions)` });
const cq = timed('qemu-x86_64', [computeProg, R]);
if (cq !== undefined) rows.push({ bench: `compute (sieve ×${R})`, runner: 'qemu-x86_64', wall: `${cq.toFixed(0)} ms`, rate: `${(c.instructions / cq / 1000).toFixed(1)} MIPS (same instruction count)` });
const cn = native(computeProg, [R]);
rows.push({ bench: `compute (sieve ×${R})`, runner: 'native', wall: `${cn.toFixed(0)} ms`, rate: `${(c.instructions / cn / 1000).toFixed(1)} MIPS (same instruction count)` });

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
  const out: string[] = [];
  let offset = 0;
  const kernel = new Kernel({
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
  const ms = performance.now() - t0;
  const expected = spawnSync(BUSYBOX, ['sha256sum'], { input: data }).stdout.toString();
  const ok = out.join('') === expected ? '' : ' (OUTPUT DIFFERS)';
  rows.push({ bench: 'busybox sha256sum 8 MB', runner: 'legosim', wall: `${ms.toFixed(0)} ms`, rate: `${(r.instructions / ms / 1000).toFixed(1)} MIPS (${(r.instructions / 1e6).toFixed(0)} M instructions)${ok}` });
  const q0 = performance.now();
  const q = spawnSync('qemu-x86_64', [BUSYBOX, 'sha256sum', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  const qms = performance.now() - q0;
  if (q.status === 0) rows.push({ bench: 'busybox sha256sum 8 MB', runner: 'qemu-x86_64', wall: `${qms.toFixed(0)} ms`, rate: `${(r.instructions / qms / 1000).toFixed(1)} MIPS (same instruction count)` });
  const n0 = performance.now();
  spawnSync(BUSYBOX, ['sha256sum', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  const nms = performance.now() - n0;
  rows.push({ bench: 'busybox sha256sum 8 MB', runner: 'native', wall: `${nms.toFixed(0)} ms`, rate: `${(r.instructions / nms / 1000).toFixed(1)} MIPS (same instruction count)` });
}

const widths = ['bench', 'runner', 'wall', 'rate'].map((k) => Math.max(k.length, ...rows.map((r) => r[k as keyof Row].length)));
const line = (r: Row): string => [r.bench, r.runner, r.wall, r.rate].map((v, i) => v.padEnd(widths[i]!)).join('  ');
console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}`);
console.log(line({ bench: 'bench', runner: 'runner', wall: 'wall', rate: 'rate' }));
for (const r of rows) console.log(line(r));
