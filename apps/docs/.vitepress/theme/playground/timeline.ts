import type { TraceEvent } from '@legosim/trace';

/** A syscall as a bar on simulated time (ns since boot). */
export interface TimelineBar {
  name: string;
  nr: number;
  start: number;
  /** Where the bar ends: the syscall_exit, or the end of the run for exit/exit_group. */
  end: number;
  /** The strace line of the call, when the trace has it. */
  label: string;
}

/** A point event on the same axis: an interrupt, exception, page fault or WARN. */
export interface TimelineMark {
  type: string;
  at: number;
  label: string;
}

export interface Timeline {
  start: number;
  end: number;
  bars: TimelineBar[];
  marks: TimelineMark[];
  /** Bars or marks beyond the caps below, left out so the page stays light. */
  omitted: number;
}

const MAX_BARS = 2000;
const MAX_MARKS = 2000;
const MARKS = new Set(['irq_entry', 'exception', 'page_fault', 'warn', 'context_switch']);

/** Turns a run's trace events into syscall bars and point marks on simulated time. */
export function timelineOf(events: readonly TraceEvent[]): Timeline {
  const bars: TimelineBar[] = [];
  const marks: TimelineMark[] = [];
  const open = new Map<number, TimelineBar>(); // by tid: a task is in at most one syscall
  let omitted = 0;
  const start = events[0]?.ts ?? 0;
  const end = events.at(-1)?.ts ?? start;
  for (const e of events) {
    if (e.type === 'syscall_entry') {
      const bar = { name: e.name, nr: e.nr, start: e.ts, end, label: e.strace ?? `${e.name}(…)` };
      open.set(e.tid, bar);
      if (bars.length < MAX_BARS) bars.push(bar);
      else omitted++;
    } else if (e.type === 'syscall_exit') {
      const bar = open.get(e.tid);
      if (bar) {
        bar.end = e.ts;
        if (e.strace !== undefined) bar.label = e.strace;
        open.delete(e.tid);
      }
    } else if (MARKS.has(e.type)) {
      if (marks.length < MAX_MARKS) marks.push({ type: e.type, at: e.ts, label: markLabel(e) });
      else omitted++;
    }
  }
  return { start, end, bars, marks, omitted };
}

function markLabel(e: TraceEvent): string {
  switch (e.type) {
    case 'irq_entry':
      return `irq vector ${e.vector}`;
    case 'exception':
      return `exception ${e.vector}`;
    case 'page_fault':
      return `page fault at ${e.address}`;
    case 'warn':
      return `WARN: ${e.message}`;
    default:
      return e.type;
  }
}
