// Chrome Trace Event Format export (the JSON that chrome://tracing and ui.perfetto.dev open).
// Tracks: one process "CPUs" with a thread per CPU (interrupts, context switches, TLB flushes,
// IPIs) and, per guest task, its pid/tid (syscalls, exceptions, page faults, warnings).
// Syscalls and interrupts are "X" complete events written when they end, so memory holds only
// the open ones. Timestamps are µs with the simulated ns kept as three decimals.
import type { TraceHeader } from '../format.js';
import type { FieldDef } from '../schema.js';
import { EVENTS_BY_NAME } from '../schema.js';
import type { TraceRecord } from '../record.js';
import { fieldIndex } from '../record.js';
import type { TraceEvent, TraceEventOf } from '../types.js';
import { TextChunks } from './text-chunks.js';

const COUNTER_CPU = fieldIndex('counter', 'cpu');
const COUNTER_NAME = fieldIndex('counter', 'name');
const COUNTER_VALUE = fieldIndex('counter', 'value');

/** Per CPU: the previous samples the rate counters are computed from. */
interface CpuCounters {
  /** instructions and time at the previous "instructions" sample (0 at time 0 at first) */
  instructions: number;
  instructionsTs: number;
  /** cumulative TLB hits/misses: latest sample, and at the last "TLB hit rate" point */
  hits: number;
  misses: number;
  hitsSeen: boolean;
  missesSeen: boolean;
  lastHits: number;
  lastMisses: number;
}

/** pid of the synthetic "CPUs" process whose threads are the CPUs (tid = CPU_TID_BASE + cpu). */
export const CHROME_CPU_PID = 1_000_000_000;
export const CHROME_CPU_TID_BASE = 1_000_000_000;

export interface ChromeExportOptions {
  /** Written to `otherData` (program, seed, machine...). May be a function read at the end. */
  header?: TraceHeader | (() => TraceHeader | undefined);
}

/** One Chrome trace event as written (a subset of the format's fields). */
export interface ChromeEvent {
  name: string;
  ph: 'X' | 'B' | 'E' | 'i' | 'C' | 'M';
  /** Simulated ns; written as µs. */
  ts?: number;
  /** Simulated ns; written as µs. */
  dur?: number;
  pid: number;
  tid?: number;
  cat?: string;
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

/** ns → µs text with the ns as up to three decimals, exactly (no float rounding). */
export function chromeMicros(ns: number): string {
  const sign = ns < 0 ? '-' : '';
  const abs = Math.abs(ns);
  const us = Math.floor(abs / 1000);
  const frac = abs % 1000;
  if (frac === 0) return `${sign}${us}`;
  return `${sign}${us}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}

/** The event's schema fields (minus cpu/pid/tid, which the track shows) as Chrome args. */
function fieldArgs(
  event: TraceEvent,
  skip: readonly string[] = ['cpu', 'pid', 'tid'],
): Record<string, unknown> {
  const def = EVENTS_BY_NAME.get(event.type)!;
  const record = event as unknown as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const field of def.fields as readonly FieldDef[]) {
    if (skip.includes(field.name) || record[field.name] === undefined) continue;
    args[field.name] = record[field.name];
  }
  return args;
}

interface OpenSlice {
  name: string;
  ts: number;
  args: Record<string, unknown>;
  /** irq: vector and depth, to match the exit */
  vector?: number;
  depth?: number;
}

function isError(ret: string): boolean {
  // -4095..-1 as unsigned 64-bit: 0xfffffffffffff001..0xffffffffffffffff
  return ret.length === 18 && ret.startsWith('0xfffffffffffff') && ret !== '0xfffffffffffff000';
}

/**
 * Streams decoded events as a Chrome trace JSON document to `write`: call `event` for each event
 * in trace order, then `end` once (it closes slices still open at the last timestamp, marked
 * `unfinished`, and the JSON).
 */
export class ChromeTraceExporter {
  private readonly write: (text: string) => void;
  private readonly options: ChromeExportOptions;
  private first = true;
  private lastTs = 0;
  private readonly cpus = new Set<number>();
  private readonly tasks = new Set<string>();
  private readonly processes = new Set<number>();
  /** Open syscall per task track ("pid/tid"). */
  private readonly syscalls = new Map<string, OpenSlice>();
  /** Open interrupt stack per CPU. */
  private readonly irqs = new Map<number, OpenSlice[]>();
  private readonly syscallCount = new Map<number, number>();
  private readonly irqCount = new Map<number, number>();
  private readonly counters = new Map<number, CpuCounters>();
  private readonly out: TextChunks;

  constructor(write: (text: string) => void, options: ChromeExportOptions = {}) {
    this.write = write;
    this.out = new TextChunks(write);
    this.options = options;
    this.write('{"traceEvents":[\n');
    this.emit({ name: 'process_name', ph: 'M', pid: CHROME_CPU_PID, args: { name: 'CPUs' } });
    this.emit({ name: 'process_sort_index', ph: 'M', pid: CHROME_CPU_PID, args: { sort_index: -1 } });
  }

  private emit(e: ChromeEvent): void {
    // ts and dur are ns here; they go out as exact µs text (JSON number syntax built by hand).
    const { ts, dur, ...rest } = e;
    let times = '';
    if (ts !== undefined) times += `"ts":${chromeMicros(ts)},`;
    if (dur !== undefined) times += `"dur":${chromeMicros(dur)},`;
    const text = `{${times}${JSON.stringify(rest).slice(1)}`;
    this.out.add(this.first ? text : `,\n${text}`);
    this.first = false;
  }

  private cpuTrack(cpu: number): { pid: number; tid: number } {
    const tid = CHROME_CPU_TID_BASE + cpu;
    if (!this.cpus.has(cpu)) {
      this.cpus.add(cpu);
      this.emit({ name: 'thread_name', ph: 'M', pid: CHROME_CPU_PID, tid, args: { name: `CPU ${cpu}` } });
      this.emit({ name: 'thread_sort_index', ph: 'M', pid: CHROME_CPU_PID, tid, args: { sort_index: cpu } });
    }
    return { pid: CHROME_CPU_PID, tid };
  }

  private taskTrack(pid: number, tid: number, comm?: string): { pid: number; tid: number } {
    const key = `${pid}/${tid}`;
    // a process is named after its leader's comm (or "pid N" until one is known)
    if (!this.processes.has(pid) || (comm !== undefined && pid === tid)) {
      this.processes.add(pid);
      this.emit({ name: 'process_name', ph: 'M', pid, args: { name: comm ?? `pid ${pid}` } });
    }
    if (!this.tasks.has(key) || comm !== undefined) {
      this.tasks.add(key);
      this.emit({ name: 'thread_name', ph: 'M', pid, tid, args: { name: comm ?? `tid ${tid}` } });
    }
    return { pid, tid };
  }

  /** Adds one event read as a record (TraceReader.nextRecord, forEachTraceRecord). */
  record(r: TraceRecord): void {
    switch (r.type) {
      case 'instruction':
        // not exported: one instant per instruction would dwarf everything else in the file
        this.lastTs = Math.max(this.lastTs, r.ts);
        return;
      case 'counter': {
        this.lastTs = Math.max(this.lastTs, r.ts);
        const hi = r.hi(COUNTER_VALUE);
        const value = hi * 4294967296 + r.lo(COUNTER_VALUE); // rates need no more than 2^53
        this.counterSample(r.ts, r.number(COUNTER_CPU), r.string(COUNTER_NAME), value);
        return;
      }
      default:
        this.event(r.toEvent());
    }
  }

  event(event: TraceEvent): void {
    this.lastTs = Math.max(this.lastTs, event.ts);
    switch (event.type) {
      case 'instruction':
        return; // not exported (see record())
      case 'counter':
        this.counterSample(event.ts, event.cpu, event.name, Number(BigInt(event.value)));
        return;
      case 'syscall_entry':
        this.syscallEntry(event);
        return;
      case 'syscall_exit':
        this.syscallExit(event);
        return;
      case 'irq_entry':
        this.irqEntry(event);
        return;
      case 'irq_exit':
        this.irqExit(event);
        return;
      case 'task_new': {
        const track = this.taskTrack(event.pid, event.tid, event.comm);
        this.instant(event, track, 'task');
        return;
      }
      case 'task_exit': {
        // a call that never returns (exit, exit_group) ends with its task
        const track = this.taskTrack(event.pid, event.tid);
        const key = `${event.pid}/${event.tid}`;
        const open = this.syscalls.get(key);
        if (open) {
          this.syscalls.delete(key);
          this.completeSlice(open, event.ts, track, 'syscall', { unfinished: true });
        }
        this.instant(event, track, 'task');
        return;
      }
      case 'exception':
      case 'page_fault':
      case 'warn':
        this.instant(event, this.taskTrack(event.pid, event.tid), event.type === 'warn' ? 'warn' : 'fault');
        return;
      case 'context_switch':
      case 'tlb_flush':
        this.instant(event, this.cpuTrack(event.cpu), 'cpu', ['cpu']);
        return;
      case 'ipi': {
        // An instant on the sending CPU's track (from, to and vector in args).
        this.instant(event, this.cpuTrack(event.from), 'ipi', ['cpu']);
        return;
      }
    }
  }

  /**
   * A machine counter sample becomes "C" counter points on the CPUs process: `run queue cpuN`
   * (the level), `MIPS cpuN` (instructions retired per simulated µs since the previous sample)
   * and `TLB hit rate cpuN` (% of TLB lookups that hit since the previous hits/misses pair).
   */
  private counterSample(ts: number, cpu: number, name: string, value: number): void {
    this.cpuTrack(cpu);
    let c = this.counters.get(cpu);
    if (!c) {
      c = {
        instructions: 0,
        instructionsTs: 0,
        hits: 0,
        misses: 0,
        hitsSeen: false,
        missesSeen: false,
        lastHits: 0,
        lastMisses: 0,
      };
      this.counters.set(cpu, c);
    }
    switch (name) {
      case 'runqueue':
        this.emit({ name: `run queue cpu${cpu}`, ph: 'C', ts, pid: CHROME_CPU_PID, args: { tasks: value } });
        return;
      case 'instructions': {
        const dt = ts - c.instructionsTs;
        const dn = value - c.instructions;
        if (dt > 0 && dn >= 0) {
          const mips = Math.round((dn * 1000 * 1000) / dt) / 1000; // instructions per µs, 3 decimals
          this.emit({ name: `MIPS cpu${cpu}`, ph: 'C', ts, pid: CHROME_CPU_PID, args: { MIPS: mips } });
        }
        c.instructions = value;
        c.instructionsTs = ts;
        return;
      }
      case 'tlb_hits':
      case 'tlb_misses': {
        if (name === 'tlb_hits') {
          c.hits = value;
          c.hitsSeen = true;
        } else {
          c.misses = value;
          c.missesSeen = true;
        }
        if (!c.hitsSeen || !c.missesSeen) return;
        const hits = c.hits - c.lastHits;
        const lookups = hits + c.misses - c.lastMisses;
        if (lookups > 0) {
          const rate = Math.round((hits * 100 * 1000) / lookups) / 1000;
          this.emit({
            name: `TLB hit rate cpu${cpu}`,
            ph: 'C',
            ts,
            pid: CHROME_CPU_PID,
            args: { '%': rate },
          });
        }
        c.lastHits = c.hits;
        c.lastMisses = c.misses;
        c.hitsSeen = false;
        c.missesSeen = false;
        return;
      }
    }
    // any other counter: its value as is
    this.emit({ name: `${name} cpu${cpu}`, ph: 'C', ts, pid: CHROME_CPU_PID, args: { [name]: value } });
  }

  private instant(
    event: TraceEvent,
    track: { pid: number; tid: number },
    cat: string,
    skip?: readonly string[],
  ): void {
    let name: string = event.type;
    if (event.type === 'exception') name = `exception ${event.vector}`;
    else if (event.type === 'page_fault') name = `page_fault ${event.resolution}`;
    else if (event.type === 'ipi') name = `ipi 0x${event.vector.toString(16)}`;
    this.emit({ name, ph: 'i', s: 't', cat, ts: event.ts, ...track, args: fieldArgs(event, skip) });
  }

  private completeSlice(
    slice: OpenSlice,
    end: number,
    track: { pid: number; tid: number },
    cat: string,
    extra: Record<string, unknown>,
  ): void {
    const dur = Math.max(0, end - slice.ts);
    this.emit({
      name: slice.name,
      ph: 'X',
      cat,
      ts: slice.ts,
      ...track,
      dur,
      args: { ...slice.args, ...extra },
    });
  }

  private syscallEntry(e: TraceEventOf<'syscall_entry'>): void {
    const track = this.taskTrack(e.pid, e.tid);
    const key = `${e.pid}/${e.tid}`;
    const open = this.syscalls.get(key);
    if (open) this.completeSlice(open, e.ts, track, 'syscall', { unfinished: true });
    const args: Record<string, unknown> = { nr: e.nr, name: e.name, args: e.args };
    if (e.strace !== undefined) args.strace = e.strace; // a call that does not return
    this.syscalls.set(key, { name: e.name, ts: e.ts, args });
  }

  private syscallExit(e: TraceEventOf<'syscall_exit'>): void {
    const track = this.taskTrack(e.pid, e.tid);
    const key = `${e.pid}/${e.tid}`;
    const open = this.syscalls.get(key);
    const result: Record<string, unknown> = {
      ret: e.ret,
      error: isError(e.ret),
      path: e.path,
      warned: e.warned,
    };
    if (e.strace !== undefined) result.strace = e.strace;
    if (open && open.args.nr === e.nr) {
      this.syscalls.delete(key);
      this.completeSlice(open, e.ts, track, 'syscall', result);
    } else {
      // an exit without its entry (a new task returning from clone, a trace started mid-call)
      this.emit({
        name: `syscall_exit ${e.nr}`,
        ph: 'i',
        s: 't',
        cat: 'syscall',
        ts: e.ts,
        ...track,
        args: { nr: e.nr, ...result },
      });
    }
    const count = (this.syscallCount.get(e.pid) ?? 0) + 1;
    this.syscallCount.set(e.pid, count);
    this.emit({ name: 'syscalls', ph: 'C', ts: e.ts, pid: e.pid, args: { syscalls: count } });
  }

  private irqEntry(e: TraceEventOf<'irq_entry'>): void {
    this.cpuTrack(e.cpu);
    let stack = this.irqs.get(e.cpu);
    if (!stack) {
      stack = [];
      this.irqs.set(e.cpu, stack);
    }
    stack.push({
      name: `irq 0x${e.vector.toString(16)}`,
      ts: e.ts,
      vector: e.vector,
      depth: e.depth,
      args: {
        vector: e.vector,
        depth: e.depth,
        pid: e.pid,
        tid: e.tid,
        sp: e.sp,
        task_pt_regs: e.task_pt_regs,
      },
    });
  }

  private irqExit(e: TraceEventOf<'irq_exit'>): void {
    const track = this.cpuTrack(e.cpu);
    const stack = this.irqs.get(e.cpu) ?? [];
    let at = stack.length - 1;
    while (at >= 0 && !(stack[at]!.vector === e.vector && stack[at]!.depth === e.depth)) at--;
    if (at < 0) {
      this.instant(e, track, 'irq', ['cpu']);
      return;
    }
    // close anything nested deeper that never exited, then this one
    while (stack.length > at + 1) this.completeSlice(stack.pop()!, e.ts, track, 'irq', { unfinished: true });
    this.completeSlice(stack.pop()!, e.ts, track, 'irq', {});
    const count = (this.irqCount.get(e.cpu) ?? 0) + 1;
    this.irqCount.set(e.cpu, count);
    this.emit({ name: `irqs cpu${e.cpu}`, ph: 'C', ts: e.ts, pid: CHROME_CPU_PID, args: { irqs: count } });
  }

  /** Closes open slices at the last timestamp and finishes the JSON document. */
  end(): void {
    for (const [key, open] of this.syscalls) {
      const [pid, tid] = key.split('/').map(Number) as [number, number];
      this.completeSlice(open, this.lastTs, { pid, tid }, 'syscall', { unfinished: true });
    }
    this.syscalls.clear();
    for (const [cpu, stack] of this.irqs) {
      const track = this.cpuTrack(cpu);
      while (stack.length) this.completeSlice(stack.pop()!, this.lastTs, track, 'irq', { unfinished: true });
    }
    const header = typeof this.options.header === 'function' ? this.options.header() : this.options.header;
    this.out.flush();
    this.write(
      `\n],"displayTimeUnit":"ns","otherData":${JSON.stringify({ format: 'legosim trace', ...(header ?? {}) })}}\n`,
    );
  }
}

/** Exports `events` as one Chrome trace JSON document written in pieces to `write`. */
export async function exportChrome(
  events: AsyncIterable<TraceEvent> | Iterable<TraceEvent>,
  write: (text: string) => void,
  options: ChromeExportOptions = {},
): Promise<void> {
  const exporter = new ChromeTraceExporter(write, options);
  for await (const event of events) exporter.event(event);
  exporter.end();
}
