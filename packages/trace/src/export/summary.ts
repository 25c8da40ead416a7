// An `strace -c` style summary: per syscall its calls, errors and simulated time, then counts
// of the other events. Memory holds one counter row per syscall number and per small category.
import type { TraceEvent } from '../types.js';

interface SyscallRow {
  calls: number;
  errors: number;
  /** ns between entry and exit, summed over calls whose entry and exit are both in the trace */
  ns: number;
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

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Accumulates a trace summary: `add` each event, then `format()`. A call is a syscall_entry,
 * or a syscall_exit whose entry is not in the trace (a clone child returning, a trace started
 * mid-call); its time is the simulated time from entry to exit of the same task, so a call
 * still open at the end of the trace (exit_group) has no time. Errors are returns in -4095..-1.
 */
export class TraceSummary {
  private readonly rows = new Map<number, SyscallRow>();
  private readonly names = new Map<number, string>();
  /** Open syscall per task (pid/tid): nr and entry time. */
  private readonly open = new Map<string, { nr: number; ts: number }>();
  private readonly irqs = new Map<string, number>();
  private readonly exceptions = new Map<string, number>();
  private readonly faults = new Map<string, number>();
  private readonly flushes = new Map<string, number>();
  private readonly simple = new Map<string, number>();
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

  add(e: TraceEvent): void {
    this.events++;
    switch (e.type) {
      case 'syscall_entry': {
        this.names.set(e.nr, e.name);
        this.row(e.nr).calls++;
        this.open.set(`${e.pid}/${e.tid}`, { nr: e.nr, ts: e.ts });
        break;
      }
      case 'syscall_exit': {
        const key = `${e.pid}/${e.tid}`;
        const entry = this.open.get(key);
        const row = this.row(e.nr);
        if (entry && entry.nr === e.nr) {
          this.open.delete(key);
          row.ns += Math.max(0, e.ts - entry.ts);
        } else {
          row.calls++;
          this.unmatchedExits++;
        }
        if (isErrorReturn(e.ret)) row.errors++;
        break;
      }
      case 'irq_entry':
        bump(this.irqs, `vector 0x${e.vector.toString(16)}`);
        break;
      case 'exception':
        bump(this.exceptions, `vector ${e.vector}`);
        break;
      case 'page_fault':
        bump(this.faults, e.resolution);
        break;
      case 'tlb_flush':
        bump(this.flushes, e.reason);
        break;
      case 'context_switch':
        bump(this.simple, 'context switches');
        break;
      case 'warn':
        bump(this.simple, 'warnings');
        break;
      case 'ipi':
        bump(this.simple, 'ipis');
        break;
      case 'task_new':
        bump(this.simple, 'tasks created');
        break;
      case 'task_exit':
        bump(this.simple, 'tasks exited');
        break;
      case 'irq_exit':
        break;
    }
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
    const open = this.open.size;
    if (open || this.unmatchedExits) {
      out.push(
        `(simulated time between syscall entry and exit; ${open} call(s) unfinished at the end, ` +
          `${this.unmatchedExits} exit(s) without their entry)`,
        '',
      );
    }
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const counted: [string, number, string][] = [
      ['irqs', sum(this.irqs), countsText(this.irqs)],
      ['exceptions', sum(this.exceptions), countsText(this.exceptions)],
      ['page faults', sum(this.faults), countsText(this.faults)],
      ['tlb flushes', sum(this.flushes), countsText(this.flushes)],
      ...(['context switches', 'ipis', 'warnings', 'tasks created', 'tasks exited'] as const).map(
        (k): [string, number, string] => [k, this.simple.get(k) ?? 0, ''],
      ),
    ];
    out.push('event                count');
    for (const [name, n, detail] of counted) out.push(`${name.padEnd(16)} ${pad(String(n), 9)}${detail}`);
    out.push(`${'events'.padEnd(16)} ${pad(String(this.events), 9)}`);
    return `${out.join('\n')}\n`;
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
