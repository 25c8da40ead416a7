// The Chrome Trace Event Format export: valid JSON, the fields each phase needs, and slices
// that nest properly on every track.
import { describe, expect, it } from 'vitest';
import type { TraceSink } from '../src/index.ts';
import {
  CHROME_CPU_PID,
  CHROME_CPU_TID_BASE,
  chromeMicros,
  encodeTrace,
  ChromeTraceExporter,
  exportChrome,
  forEachTraceRecord,
  readTraceStream,
  u64FromText,
} from '../src/index.ts';
import { emitSampleV11, PT_REGS_ADDR, SP0, WRITE_ARGS, WRITE_REGS } from './sample.ts';

interface Ev {
  name: string;
  ph: string;
  ts?: number;
  dur?: number;
  pid: number;
  tid?: number;
  s?: string;
  cat?: string;
  args?: Record<string, unknown>;
}

/** The sample plus a second CPU with nested interrupts inside a syscall, and an unfinished call. */
function emit(sink: TraceSink): void {
  emitSampleV11(sink);
  const sp = u64FromText('0xffff880000048e00');
  sink.taskNew(4000, 1, 3, 3, 1, 'worker');
  sink.syscallEntry(4100, 1, 3, 3, 0, 'read', WRITE_ARGS, PT_REGS_ADDR, SP0, WRITE_REGS, true);
  sink.irqEntry(4200, 1, 3, 3, 0xef, 1, sp, PT_REGS_ADDR);
  sink.irqEntry(4250, 1, 3, 3, 0xfd, 2, sp, PT_REGS_ADDR);
  sink.irqExit(4260, 1, 3, 3, 0xfd, 2);
  sink.irqExit(4300, 1, 3, 3, 0xef, 1);
  sink.syscallExit(4400, 1, 3, 3, 0, -11, true, false, 'sysret');
  sink.irqEntry(4500, 1, 3, 3, 0xef, 1, sp, PT_REGS_ADDR);
  sink.irqEntry(4501, 1, 3, 3, 0xec, 2, sp, PT_REGS_ADDR); // never exits: closed by its parent
  sink.irqExit(4600, 1, 3, 3, 0xef, 1);
  sink.syscallEntry(4700, 1, 3, 3, 231, 'exit_group', WRITE_ARGS, PT_REGS_ADDR, SP0, WRITE_REGS, true);
  sink.irqEntry(4800, 1, 3, 3, 0xef, 1, sp, PT_REGS_ADDR); // open at the end of the trace
}

async function exportText(): Promise<string> {
  const bytes = encodeTrace(emit, { header: { program: 'sample', seed: 7 } });
  let text = '';
  let header: Record<string, unknown> | undefined;
  await exportChrome(
    readTraceStream([bytes], { onHeader: (h) => (header = h) }),
    (chunk) => {
      text += chunk;
    },
    { header: () => header },
  );
  return text;
}

describe('Chrome trace export', () => {
  it('prints µs with the ns as exact decimals', () => {
    expect(chromeMicros(0)).toBe('0');
    expect(chromeMicros(1500)).toBe('1.5');
    expect(chromeMicros(1001)).toBe('1.001');
    expect(chromeMicros(123456789012345)).toBe('123456789012.345');
  });

  it('is valid JSON whose events carry the fields their phase needs', async () => {
    const doc = JSON.parse(await exportText()) as { traceEvents: Ev[]; otherData: Record<string, unknown> };
    expect(Array.isArray(doc.traceEvents)).toBe(true);
    expect(doc.otherData).toMatchObject({ program: 'sample', seed: 7 });
    const phases = new Set<string>();
    for (const e of doc.traceEvents) {
      phases.add(e.ph);
      expect(typeof e.name, JSON.stringify(e)).toBe('string');
      expect(typeof e.pid, JSON.stringify(e)).toBe('number');
      switch (e.ph) {
        case 'M':
          expect(['process_name', 'thread_name', 'process_sort_index', 'thread_sort_index']).toContain(
            e.name,
          );
          expect(e.args).toBeDefined();
          if (e.name.startsWith('thread')) expect(typeof e.tid).toBe('number');
          break;
        case 'X':
          expect(typeof e.ts).toBe('number');
          expect(typeof e.dur).toBe('number');
          expect(e.dur).toBeGreaterThanOrEqual(0);
          expect(typeof e.tid).toBe('number');
          break;
        case 'i':
          expect(typeof e.ts).toBe('number');
          expect(typeof e.tid).toBe('number');
          expect(e.s).toBe('t');
          break;
        case 'C':
          expect(typeof e.ts).toBe('number');
          expect(Object.values(e.args ?? {}).every((v) => typeof v === 'number')).toBe(true);
          break;
        default:
          throw new Error(`unexpected phase ${e.ph}`);
      }
    }
    expect([...phases].sort()).toEqual(['C', 'M', 'X', 'i']);
  });

  it('names a track per CPU and per task', async () => {
    const events = (JSON.parse(await exportText()) as { traceEvents: Ev[] }).traceEvents;
    const names = events
      .filter((e) => e.name === 'thread_name')
      .map((e) => `${e.pid}/${e.tid}=${e.args!.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        `${CHROME_CPU_PID}/${CHROME_CPU_TID_BASE}=CPU 0`,
        `${CHROME_CPU_PID}/${CHROME_CPU_TID_BASE + 1}=CPU 1`,
        '1/1=init',
        '2/2=child',
        '3/3=worker',
      ]),
    );
  });

  it('turns syscalls and interrupts into slices that nest on every track', async () => {
    const events = (JSON.parse(await exportText()) as { traceEvents: Ev[] }).traceEvents;
    const slices = events.filter((e) => e.ph === 'X');
    const write = slices.find((e) => e.name === 'write')!;
    expect(write).toMatchObject({ ts: 1, dur: 0.5, pid: 1, tid: 1, cat: 'syscall' });
    expect(write.args).toMatchObject({ nr: 1, name: 'write', ret: '0xe', path: 'sysret', error: false });
    expect(slices.find((e) => e.name === 'ni_syscall')!.args).toMatchObject({
      ret: '0xffffffffffffffda',
      error: true,
    });
    expect(slices.find((e) => e.name === 'read' && e.pid === 3)).toMatchObject({ ts: 4.1, dur: 0.3 });
    expect(slices.find((e) => e.name === 'exit_group')!.args).toMatchObject({ unfinished: true });
    const cpu1Irqs = slices
      .filter((e) => e.tid === CHROME_CPU_TID_BASE + 1)
      .map((e) => [e.name, e.ts, e.dur]);
    expect(cpu1Irqs).toEqual(
      expect.arrayContaining([
        ['irq 0xef', 4.2, 0.1],
        ['irq 0xfd', 4.25, 0.01],
        ['irq 0xec', 4.501, 0.099],
        ['irq 0xef', 4.8, 0],
      ]),
    );

    const tracks = new Map<string, Ev[]>();
    for (const e of slices) {
      const key = `${e.pid}/${e.tid}`;
      tracks.set(key, [...(tracks.get(key) ?? []), e]);
    }
    expect(tracks.size).toBeGreaterThanOrEqual(4);
    // work in ns to avoid float noise
    const ns = (us: number) => Math.round(us * 1000);
    for (const [key, list] of tracks) {
      list.sort((a, b) => ns(a.ts!) - ns(b.ts!) || ns(b.dur!) - ns(a.dur!));
      const stack: number[] = []; // end times of the open enclosing slices
      for (const e of list) {
        const start = ns(e.ts!);
        const end = start + ns(e.dur!);
        while (stack.length && stack[stack.length - 1]! <= start) stack.pop();
        if (stack.length)
          expect(end, `${key}: ${JSON.stringify(e)} overlaps its parent`).toBeLessThanOrEqual(stack.at(-1)!);
        stack.push(end);
      }
    }
  });

  it('marks faults, warnings, switches and IPIs as instants and counts syscalls', async () => {
    const events = (JSON.parse(await exportText()) as { traceEvents: Ev[] }).traceEvents;
    const instants = events.filter((e) => e.ph === 'i').map((e) => e.name);
    expect(instants).toEqual(
      expect.arrayContaining([
        'exception 14',
        'page_fault mapped',
        'warn',
        'context_switch',
        'ipi 0xfd',
        'tlb_flush',
      ]),
    );
    const counters = events.filter((e) => e.ph === 'C' && e.name === 'syscalls' && e.pid === 1);
    expect(counters.map((e) => e.args!.syscalls)).toEqual([1, 2, 3]);
  });

  it('turns counter samples into run queue, MIPS and TLB hit rate counters, and skips instructions', async () => {
    const bytes = encodeTrace((sink) => {
      sink.taskNew(0, 0, 1, 1, undefined, 'init');
      sink.instruction(5, 0, 1, 1, 0x401000, Uint8Array.of(0x90), 3, 0x7ffffffde000, 0x202, 0);
      // ticks every 10 µs on CPU 0; CPU 1 samples once
      const samples: [number, number, number, number, number][] = [
        // ts, instructions, tlb hits, tlb misses, runqueue
        [10_000, 20_000, 900, 100, 1],
        [20_000, 50_000, 1_890, 110, 2],
        [30_000, 50_000, 1_890, 110, 0], // idle: no lookups, no instructions
      ];
      for (const [ts, insns, hits, misses, rq] of samples) {
        sink.counter(ts, 0, 'instructions', insns);
        sink.counter(ts, 0, 'tlb_hits', hits);
        sink.counter(ts, 0, 'tlb_misses', misses);
        sink.counter(ts, 0, 'runqueue', rq);
      }
      sink.counter(15_000, 1, 'instructions', 1500);
    });
    let viaEvents = '';
    await exportChrome(readTraceStream([bytes]), (t) => (viaEvents += t));
    // the record path gives the same document
    let viaRecords = '';
    const exporter = new ChromeTraceExporter((t) => (viaRecords += t));
    await forEachTraceRecord([bytes], (r) => exporter.record(r));
    exporter.end();
    expect(viaRecords).toBe(viaEvents);

    const events = (JSON.parse(viaEvents) as { traceEvents: Ev[] }).traceEvents;
    expect(events.some((e) => e.name.startsWith('instruction'))).toBe(false);
    const series = (name: string) =>
      events
        .filter((e) => e.ph === 'C' && e.name === name)
        .map((e) => {
          expect(e.pid).toBe(CHROME_CPU_PID);
          expect(Object.values(e.args!).every((v) => typeof v === 'number')).toBe(true);
          return [e.ts, ...Object.values(e.args!)];
        });
    // 20,000 instructions in the first 10 µs: 2,000 per µs = 2,000 MIPS; then 3,000; then 0
    expect(series('MIPS cpu0')).toEqual([
      [10, 2000],
      [20, 3000],
      [30, 0],
    ]);
    expect(series('MIPS cpu1')).toEqual([[15, 100]]);
    // 900 of 1000 lookups hit, then 990 of 1000; the idle tick has no lookups and no point
    expect(series('TLB hit rate cpu0')).toEqual([
      [10, 90],
      [20, 99],
    ]);
    expect(series('run queue cpu0')).toEqual([
      [10, 1],
      [20, 2],
      [30, 0],
    ]);
    expect(events.find((e) => e.name === 'thread_name' && e.tid === CHROME_CPU_TID_BASE + 1)).toBeDefined();
  });
});
