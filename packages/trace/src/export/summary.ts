// An `strace -c` style summary: per syscall its calls, errors and simulated time, then counts
// of the other events. Memory holds one counter row per syscall number and per small category.
// It reads records (`addRecord`, no allocation per syscall) or event objects (`add`).
import { fieldIndex } from '../record.js';
import type { TraceRecord } from '../record.js';
import type { TraceEvent } from '../types.js';

interface SyscallRow {
  calls: number;
  errors: number;
  /** ns between entry and exit, summed over calls whose entry and exit are both in the trace */
  ns: number;
}

/** The syscall a task is in: nr and entry time (nr -1: none). Reused per task. */
interface OpenCall {
  nr: number;
  ts: number;
}

/** -4095..-1 read as unsigned 64-bit hex (0xfffffffffffff001..0xffffffffffffffff). */
function isErrorReturn(ret: string): boolean {
  return ret.length === 18 && ret.startsWith('0xfffffffffffff') && ret !== '0xfffffffffffff000';
}

function pad(text: string, width: number): string {
  return text.padStart(width);
}

function countsText(counts: Map<string, number>): string {
  if (counts.size === 0) return '';
  const parts = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, n]) => `${k}: ${n}`);
  return `  (${parts.join(', ')})`;
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Counts keyed by number, as text keys (`vector 0xef`) for countsText. */
function labelled(map: Map<number, number>, label: (key: number) => string): Map<string, number> {
  return new Map([...map].map(([k, n]) => [label(k), n]));
}

const TWO32 = 4294967296;

/** The unsigned 64-bit value hi:lo: a number when exact, else a bigint. */
function unsigned(hi: number, lo: number): number | bigint {
  return hi < 0x200000 ? hi * TWO32 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

/** A map key for a task: a number while pids are small (always, in practice), else text. */
function taskKey(pid: number, tid: number): number | string {
  return pid < 0x200000 ? pid * TWO32 + tid : `${pid}/${tid}`;
}

// Field indexes for the record path.
const ENTRY_PID = fieldIndex('syscall_entry', 'pid');
const ENTRY_TID = fieldIndex('syscall_entry', 'tid');
const ENTRY_NR = fieldIndex('syscall_entry', 'nr');
const ENTRY_NAME = fieldIndex('syscall_entry', 'name');
const EXIT_PID = fieldIndex('syscall_exit', 'pid');
const EXIT_TID = fieldIndex('syscall_exit', 'tid');
const EXIT_NR = fieldIndex('syscall_exit', 'nr');
const EXIT_RET = fieldIndex('syscall_exit', 'ret');
const IRQ_VECTOR = fieldIndex('irq_entry', 'vector');
const EXCEPTION_VECTOR = fieldIndex('exception', 'vector');
const FAULT_RESOLUTION = fieldIndex('page_fault', 'resolution');
const FLUSH_REASON = fieldIndex('tlb_flush', 'reason');
const COUNTER_CPU = fieldIndex('counter', 'cpu');
const COUNTER_NAME = fieldIndex('counter', 'name');
const COUNTER_VALUE = fieldIndex('counter', 'value');

/** The other events counted by name (instruction and counter rows appear only when present). */
const SIMPLE: Partial<Record<TraceEvent['type'], string>> = {
  context_switch: 'context switches',
  warn: 'warnings',
  ipi: 'ipis',
  task_new: 'tasks created',
  task_exit: 'tasks exited',
  instruction: 'instructions',
  counter: 'counter samples',
};

/**
 * Accumulates a trace summary: `addRecord` each record (or `add` each event object), then
 * `format()`. A call is a syscall_entry, or a syscall_exit whose entry is not in the trace (a
 * clone child returning, a trace started mid-call); its time is the simulated time from entry
 * to exit of the same task, so a call still open at the end of the trace (exit_group) has no
 * time. Errors are returns in -4095..-1. Traced instructions and counter samples are counted
 * (with each counter's last value, summed over CPUs), never as syscalls.
 */
export class TraceSummary {
  private readonly rows = new Map<number, SyscallRow>();
  private readonly names = new Map<number, string>();
  private readonly open = new Map<number | string, OpenCall>();
  private openCount = 0;
  private readonly irqs = new Map<number, number>();
  private readonly exceptions = new Map<number, number>();
  private readonly faults = new Map<string, number>();
  private readonly flushes = new Map<string, number>();
  private readonly simple = new Map<string, number>();
  /** Last value of each counter per CPU ("name/cpu" → value). */
  private readonly counters = new Map<string, { name: string; value: number | bigint }>();
  /** Events seen. */
  events = 0;
  private unmatchedExits = 0;

  private row(nr: number): SyscallRow {
    let row = this.rows.get(nr);
    if (!row) {
      row = { calls: 0, errors: 0, ns: 0 };
      this.rows.set(nr, row);
    }
    return row;
  }

  private entry(ts: number, pid: number, tid: number, nr: number, name: string): void {
    if (this.names.get(nr) !== name) this.names.set(nr, name);
    this.row(nr).calls++;
    const key = taskKey(pid, tid);
    const call = this.open.get(key);
    if (call === undefined) this.open.set(key, { nr, ts });
    else {
      if (call.nr < 0) this.openCount++;
      call.nr = nr;
      call.ts = ts;
      return;
    }
    this.openCount++;
  }

  private exit(ts: number, pid: number, tid: number, nr: number, error: boolean): void {
    const call = this.open.get(taskKey(pid, tid));
    const row = this.row(nr);
    if (call !== undefined && call.nr === nr) {
      call.nr = -1;
      this.openCount--;
      row.ns += Math.max(0, ts - call.ts);
    } else {
      row.calls++;
      this.unmatchedExits++;
    }
    if (error) row.errors++;
  }

  private counter(cpu: number, name: string, value: number | bigint): void {
    const key = `${name}/${cpu}`;
    const last = this.counters.get(key);
    if (last) last.value = value;
    else this.counters.set(key, { name, value });
  }

  /** Adds one event read as a record (TraceReader.nextRecord, forEachTraceRecord). */
  addRecord(r: TraceRecord): void {
    this.events++;
    switch (r.type) {
      case 'syscall_entry':
        this.entry(r.ts, r.number(ENTRY_PID), r.number(ENTRY_TID), r.number(ENTRY_NR), r.string(ENTRY_NAME));
        return;
      case 'syscall_exit':
        this.exit(
          r.ts,
          r.number(EXIT_PID),
          r.number(EXIT_TID),
          r.number(EXIT_NR),
          r.hi(EXIT_RET) === 0xffffffff && r.lo(EXIT_RET) > 0xfffff000,
        );
        return;
      case 'irq_entry':
        bump(this.irqs, r.number(IRQ_VECTOR));
        return;
      case 'exception':
        bump(this.exceptions, r.number(EXCEPTION_VECTOR));
        return;
      case 'page_fault':
        bump(this.faults, r.string(FAULT_RESOLUTION));
        return;
      case 'tlb_flush':
        bump(this.flushes, r.string(FLUSH_REASON));
        return;
      case 'counter':
        this.counter(
          r.number(COUNTER_CPU),
          r.string(COUNTER_NAME),
          unsigned(r.hi(COUNTER_VALUE), r.lo(COUNTER_VALUE)),
        );
        break;
    }
    const simple = SIMPLE[r.type];
    if (simple !== undefined) bump(this.simple, simple);
  }

  /** Adds one event object. */
  add(e: TraceEvent): void {
    this.events++;
    switch (e.type) {
      case 'syscall_entry':
        this.entry(e.ts, e.pid, e.tid, e.nr, e.name);
        return;
      case 'syscall_exit':
        this.exit(e.ts, e.pid, e.tid, e.nr, isErrorReturn(e.ret));
        return;
      case 'irq_entry':
        bump(this.irqs, e.vector);
        return;
      case 'exception':
        bump(this.exceptions, e.vector);
        return;
      case 'page_fault':
        bump(this.faults, e.resolution);
        return;
      case 'tlb_flush':
        bump(this.flushes, e.reason);
        return;
      case 'counter': {
        const v = BigInt(e.value);
        this.counter(e.cpu, e.name, v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
    }
    const simple = SIMPLE[e.type];
    if (simple !== undefined) bump(this.simple, simple);
  }

  /** The summary text (ends with a newline). */
  format(): string {
    const rows = [...this.rows].map(([nr, row]) => ({ name: this.names.get(nr) ?? `syscall_${nr}`, ...row }));
    rows.sort((a, b) => b.ns - a.ns || b.calls - a.calls || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const total = rows.reduce(
      (t, r) => ({ calls: t.calls + r.calls, errors: t.errors + r.errors, ns: t.ns + r.ns }),
      { calls: 0, errors: 0, ns: 0 },
    );
    const us = (ns: number) => (ns / 1000).toFixed(3);
    const line = (pct: number, r: SyscallRow, name: string) =>
      `${pad(pct.toFixed(2), 6)} ${pad(us(r.ns), 11)} ${pad(us(r.calls ? r.ns / r.calls : 0), 11)} ` +
      `${pad(String(r.calls), 9)} ${pad(r.errors ? String(r.errors) : '', 9)} ${name}`;
    const rule = '------ ----------- ----------- --------- --------- ----------------';
    const out = [
      '% time       usecs  usecs/call     calls    errors syscall',
      rule,
      ...rows.map((r) => line(total.ns ? (100 * r.ns) / total.ns : 0, r, r.name)),
      rule,
      line(total.ns ? 100 : 0, total, 'total'),
      '',
    ];
    const open = this.openCount;
    if (open || this.unmatchedExits) {
      out.push(
        `(simulated time between syscall entry and exit; ${open} call(s) unfinished at the end, ` +
          `${this.unmatchedExits} exit(s) without their entry)`,
        '',
      );
    }
    const sum = (m: Map<unknown, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const counted: [string, number, string][] = [
      ['irqs', sum(this.irqs), countsText(labelled(this.irqs, (v) => `vector 0x${v.toString(16)}`))],
      ['exceptions', sum(this.exceptions), countsText(labelled(this.exceptions, (v) => `vector ${v}`))],
      ['page faults', sum(this.faults), countsText(this.faults)],
      ['tlb flushes', sum(this.flushes), countsText(this.flushes)],
      ...(['context switches', 'ipis', 'warnings', 'tasks created', 'tasks exited'] as const).map(
        (k): [string, number, string] => [k, this.simple.get(k) ?? 0, ''],
      ),
    ];
    // format 1.1 events: rows only when the trace has them (1.0 summaries read as before)
    const instructions = this.simple.get('instructions');
    if (instructions) counted.push(['instructions', instructions, '  (traced)']);
    const samples = this.simple.get('counter samples');
    if (samples) counted.push(['counter samples', samples, this.counterText()]);
    out.push('event                count');
    for (const [name, n, detail] of counted) out.push(`${name.padEnd(16)} ${pad(String(n), 9)}${detail}`);
    out.push(`${'events'.padEnd(16)} ${pad(String(this.events), 9)}`);
    return `${out.join('\n')}\n`;
  }

  /** "  (last: instructions 1234, runqueue 1, ...)": each counter's last value summed over CPUs. */
  private counterText(): string {
    const totals = new Map<string, bigint>();
    for (const { name, value } of this.counters.values()) {
      totals.set(name, (totals.get(name) ?? 0n) + BigInt(value));
    }
    const parts = [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k} ${v}`);
    return `  (last: ${parts.join(', ')})`;
  }
}

/** The `strace -c` style summary of `events`. */
export async function summarizeTrace(
  events: AsyncIterable<TraceEvent> | Iterable<TraceEvent>,
): Promise<string> {
  const summary = new TraceSummary();
  for await (const event of events) summary.add(event);
  return summary.format();
}
