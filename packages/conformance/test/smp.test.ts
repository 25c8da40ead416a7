// A machine of several CPUs (`--cpus N`): secondary CPUs started by INIT and STARTUP IPIs,
// threads running on every CPU at once, idle CPUs woken by reschedule IPIs, TLB shootdown by
// call-function IPIs after munmap, sched_setaffinity and getcpu honoured, and the whole run
// deterministic. The host is the oracle for what the programs print.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrace } from '@legosim/trace';
import { afterAll, describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';
import { hasCommand } from '../src/probes.js';
import { expectSameLines, expectShellLikeNative, runNative } from './native.js';

const dir = mkdtempSync(join(tmpdir(), 'legosim-smp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RESCHEDULE = 0xfd;
const CALL_FUNCTION_SINGLE = 0xfb;
const CALL_FUNCTION = 0xfc;

type Ev = { type: string; ts: number } & Record<string, unknown>;

describe.each(['musl', 'glibc'] as Libc[])('on 4 CPUs (%s)', (libc) => {
  // smp.c: threads computing, munmap while they run, affinity; threads.c: contended mutexes,
  // condition variables and barriers, with the waiters and wakers on different CPUs
  test.skipIf(!hasCompiler(libc)).each(['smp', 'threads'])(
    '%s.c prints what it prints natively',
    async (probe) => {
      const prog = buildProbe(probe, libc, ['-pthread']);
      const native = runNative(prog);
      const lego = await runCli(['run', '--cpus', '4', prog]);
      expect(lego.stderr).toBe('');
      expectSameLines(native.stdout, lego.stdout);
      expect(lego.status).toBe(native.status);
    },
    120_000,
  );
});

describe.skipIf(!hasCompiler('musl'))('the trace of smp.c on 4 CPUs', () => {
  let events: Ev[] = [];
  let bytes: Uint8Array[] = [];

  test(
    'two runs give byte-identical traces',
    async () => {
      const prog = buildProbe('smp', 'musl', ['-pthread']);
      bytes = [];
      for (const run of [1, 2]) {
        const file = join(dir, `smp-${run}.lgstrace`);
        const r = await runCli(['run', '--cpus', '4', '--trace', file, prog]);
        expect(r.status).toBe(0);
        bytes.push(readFileSync(file));
      }
      expect(Buffer.compare(Buffer.from(bytes[0]!), Buffer.from(bytes[1]!))).toBe(0);
      const trace = readTrace(bytes[0]!);
      expect(trace.header.machine?.cpus).toBe(4);
      events = trace.events as unknown as Ev[];
    },
    120_000,
  );

  test('the boot CPU starts the others with INIT then STARTUP, on the APIC bus', () => {
    const boot = events.filter((e) => e.type === 'ipi' && e.ts === 0);
    for (const to of [1, 2, 3]) {
      const sent = boot.filter((e) => e.to === to).map((e) => e.vector);
      // INIT (vector field 0), then STARTUP twice with the trampoline page 0x9a
      expect(sent).toEqual([0, 0x9a, 0x9a]);
    }
  });

  test('each worker thread runs, and every CPU runs workers', () => {
    const workerTids = new Set(events.filter((e) => e.type === 'task_new' && e.tid !== 1).map((e) => e.tid as number));
    expect(workerTids.size).toBe(4);
    const cpusRunningWorkers = new Set<number>();
    const tidsSwitchedTo = new Set<number>();
    for (const e of events) {
      if (e.type !== 'context_switch' || !workerTids.has(e.next_tid as number)) continue;
      cpusRunningWorkers.add(e.cpu as number);
      tidsSwitchedTo.add(e.next_tid as number);
    }
    expect([...cpusRunningWorkers].sort()).toEqual([0, 1, 2, 3]);
    expect(tidsSwitchedTo).toEqual(workerTids);
    // an idle CPU shows as tid 0 (its idle task)
    expect(events.some((e) => e.type === 'context_switch' && e.next_tid === 0)).toBe(true);
  });

  test('idle CPUs are woken by reschedule IPIs, which they take as interrupts', () => {
    const resched = events.filter((e) => e.type === 'ipi' && e.vector === RESCHEDULE);
    expect(resched.length).toBeGreaterThan(0);
    for (const to of new Set(resched.map((e) => e.to as number))) {
      expect(events.some((e) => e.type === 'irq_entry' && e.cpu === to && e.vector === RESCHEDULE)).toBe(true);
    }
  });

  test('munmap while the threads run shoots their TLB entries down on the other CPUs', () => {
    const at = events.findIndex((e) => e.type === 'syscall_entry' && e.name === 'munmap' && e.tid === 1);
    expect(at).toBeGreaterThan(0);
    const munmap = events[at]!;
    const exit = events.findIndex((e, i) => i > at && e.type === 'syscall_exit' && e.tid === 1);
    const ipis = events.slice(at, exit).filter((e) => e.type === 'ipi' && (e.vector === CALL_FUNCTION || e.vector === CALL_FUNCTION_SINGLE));
    expect(ipis.length).toBeGreaterThan(0);
    for (const ipi of ipis) {
      expect(ipi.from).toBe(munmap.cpu);
      // the target takes the call-function interrupt and flushes its TLB
      const handled = events.findIndex(
        (e, i) => i > at && e.type === 'irq_entry' && e.cpu === ipi.to && e.vector === ipi.vector,
      );
      expect(handled).toBeGreaterThan(at);
      expect(
        events.some((e, i) => i > handled && e.type === 'tlb_flush' && e.cpu === ipi.to && e.reason === 'shootdown'),
      ).toBe(true);
    }
  });

  test('the Chrome export nests the slices of every CPU and task track; babeltrace2 reads one stream per CPU', async () => {
    const file = join(dir, 'smp-1.lgstrace');
    const chrome = await runCli(['trace', file, '--format', 'chrome']);
    expect(chrome.status).toBe(0);
    type Slice = { ph: string; pid: number; tid: number; ts: number; dur: number; cat?: string };
    const slices = (JSON.parse(chrome.stdout) as { traceEvents: Slice[] }).traceEvents.filter((e) => e.ph === 'X');
    expect(slices.some((e) => e.cat === 'irq')).toBe(true);
    const tracks = new Map<string, Slice[]>();
    for (const e of slices) tracks.set(`${e.pid}/${e.tid}`, [...(tracks.get(`${e.pid}/${e.tid}`) ?? []), e]);
    const ns = (us: number): number => Math.round(us * 1000);
    for (const [key, list] of tracks) {
      list.sort((a, b) => ns(a.ts) - ns(b.ts) || ns(b.dur) - ns(a.dur));
      const open: number[] = [];
      for (const e of list) {
        const start = ns(e.ts);
        const end = start + ns(e.dur);
        while (open.length > 0 && open.at(-1)! <= start) open.pop();
        if (open.length > 0) expect(end, `${key}: ${JSON.stringify(e)} overlaps its parent`).toBeLessThanOrEqual(open.at(-1)!);
        open.push(end);
      }
    }
    const ctf = join(dir, 'smp-ctf');
    expect((await runCli(['trace', file, '--format', 'ctf', '-o', ctf])).status).toBe(0);
    for (const cpu of [0, 1, 2, 3]) expect(existsSync(join(ctf, `stream_${cpu}`))).toBe(true);
    if (hasCommand('babeltrace2')) {
      const bt = spawnSync('babeltrace2', [ctf], { encoding: 'utf8', maxBuffer: 1 << 28 });
      expect(bt.stderr).toBe('');
      expect(bt.status).toBe(0);
      expect(bt.stdout.split('\n').filter((l) => l !== '').length).toBe(events.length);
    }
  });

  test("each CPU's events are in time order (its own clock)", () => {
    const last = new Map<number, number>();
    for (const e of events) {
      if (typeof e.cpu !== 'number') continue;
      expect(e.ts).toBeGreaterThanOrEqual(last.get(e.cpu) ?? 0);
      last.set(e.cpu, e.ts);
    }
  });
});

describe.skipIf(!hasCompiler('musl'))('simulated time', () => {
  test(
    'four CPUs finish four computing threads in well under half the time of one',
    async () => {
      const prog = buildProbe('smp', 'musl', ['-pthread']);
      const ns = async (cpus: number): Promise<number> => {
        const r = await runCli(['run', '--cpus', String(cpus), '--json', '--', prog, '300000']);
        expect(r.status).toBe(0);
        const json = JSON.parse(r.stderr.trim().split('\n').at(-1)!);
        // --json counts per CPU: they add up to the run's instructions
        expect(json.cpus).toHaveLength(cpus);
        expect(json.cpus.reduce((n: number, c: { instructions: number }) => n + c.instructions, 0)).toBe(json.instructions);
        return json.simulated_ns as number;
      };
      const one = await ns(1);
      const four = await ns(4);
      expect(one / four).toBeGreaterThan(2.5);
    },
    120_000,
  );
});

describe('processes on several CPUs', () => {
  test(
    'a busybox sh pipeline with background jobs prints what it prints natively',
    async () => {
      await expectShellLikeNative('echo a b | tr a-z A-Z; seq 5 | sort -r | head -2; (sleep 0; echo sub) & wait; echo $?', [
        '--cpus',
        '3',
      ]);
    },
    120_000,
  );

  test(
    'signals.c (itimers, sleeps, SIGCHLD, kill) prints what it prints natively',
    async () => {
      if (!hasCompiler('musl')) return;
      const prog = buildProbe('signals', 'musl');
      const native = runNative(prog);
      const lego = await runCli(['run', '--cpus', '2', prog]);
      expectSameLines(native.stdout, lego.stdout);
      expect(lego.status).toBe(native.status);
    },
    120_000,
  );
});
