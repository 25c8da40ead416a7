// strace export: the text `legosim run --strace` prints, rebuilt from a trace's `strace` fields
// (format 1.1). One line per syscall, in event order: a syscall_exit's line (the call and its
// result), or a syscall_entry's for a call that never returns (`exit_group(0) = ?`), and
// strace's `+++ exited with N +++` for each task_exit. Once a second task exists, lines carry
// strace -f's `[pid N] ` prefix (N = tid), as `legosim run --strace` prints them.
import type { TraceRecord } from '../record.js';
import { fieldIndex } from '../record.js';
import type { TraceEvent } from '../types.js';
import { TextChunks } from './text-chunks.js';

export interface StraceExportOptions {
  /**
   * `[pid N] ` prefixes. `auto` (default): as `legosim run --strace` (and strace -f) print
   * them, on every line once a second task exists. `always` / `never` force them on or off.
   */
  pidPrefix?: 'auto' | 'always' | 'never';
}

const ENTRY_TID = fieldIndex('syscall_entry', 'tid');
const ENTRY_STRACE = fieldIndex('syscall_entry', 'strace');
const EXIT_TID = fieldIndex('syscall_exit', 'tid');
const EXIT_STRACE = fieldIndex('syscall_exit', 'strace');
const EXITED_TID = fieldIndex('task_exit', 'tid');
const EXITED_CODE = fieldIndex('task_exit', 'code');
const EXITED_SIGNAL = fieldIndex('task_exit', 'signal');

/** Signal names for strace's `+++ killed by SIGSEGV +++` (x86-64 numbering). */
const SIGNALS = [
  '', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1',
  'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP',
  'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
];

/** strace's last line for a task: `+++ exited with 0 +++` or `+++ killed by SIGSEGV +++`. */
export function exitLine(code: number, signal: number | undefined): string {
  return signal ? `+++ killed by ${SIGNALS[signal] ?? `signal ${signal}`} +++` : `+++ exited with ${code} +++`;
}

/**
 * Streams strace lines to `write`: call `event` (or `record`) for each event in trace order,
 * then `end` once. Events without a `strace` field (a 1.0 trace, or a producer that did not
 * record one) give no line; a task_exit event gives strace's `+++` line. `lines` counts the
 * lines written.
 */
export class StraceExporter {
  private readonly out: TextChunks;
  private readonly mode: 'auto' | 'always' | 'never';
  /** Tasks created so far (task_new events): prefixes start with the second. */
  private tasks = 0;
  /** Lines written. */
  lines = 0;

  constructor(write: (text: string) => void, options: StraceExportOptions = {}) {
    this.out = new TextChunks(write);
    this.mode = options.pidPrefix ?? 'auto';
  }

  private line(tid: number, line: string): void {
    this.lines++;
    const prefixed = this.mode === 'always' || (this.mode === 'auto' && this.tasks > 1);
    this.out.add(prefixed ? `[pid ${tid}] ${line}\n` : `${line}\n`);
  }

  /** Adds one event object. */
  event(e: TraceEvent): void {
    if (e.type === 'task_new') this.tasks++;
    else if ((e.type === 'syscall_exit' || e.type === 'syscall_entry') && e.strace !== undefined) this.line(e.tid, e.strace);
    else if (e.type === 'task_exit') this.line(e.tid, exitLine(e.code, e.signal));
  }

  /** Adds one event read as a record (TraceReader.nextRecord, forEachTraceRecord). */
  record(r: TraceRecord): void {
    switch (r.type) {
      case 'task_new':
        this.tasks++;
        return;
      case 'syscall_entry':
        if (r.has(ENTRY_STRACE)) this.line(r.number(ENTRY_TID), r.string(ENTRY_STRACE));
        return;
      case 'syscall_exit':
        if (r.has(EXIT_STRACE)) this.line(r.number(EXIT_TID), r.string(EXIT_STRACE));
        return;
      case 'task_exit':
        this.line(r.number(EXITED_TID), exitLine(r.number(EXITED_CODE), r.has(EXITED_SIGNAL) ? r.number(EXITED_SIGNAL) : undefined));
        return;
    }
  }

  /** Writes anything buffered. */
  end(): void {
    this.out.flush();
  }
}

/** The strace text of `events` written in pieces to `write`; resolves to the number of lines. */
export async function exportStrace(
  events: AsyncIterable<TraceEvent> | Iterable<TraceEvent>,
  write: (text: string) => void,
  options: StraceExportOptions = {},
): Promise<number> {
  const exporter = new StraceExporter(write, options);
  for await (const event of events) exporter.event(event);
  exporter.end();
  return exporter.lines;
}
