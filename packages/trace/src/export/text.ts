// Text export: one readable line per event, for reading a trace in a terminal or a diff.
//
//   <µs.ns> cpu<N> <pid>/<tid> <type> <field>=<value> ...
//         1.000 cpu0 1/1 syscall_entry  nr=1 name=write args=[0x1,0x402000,0xe,0x0,0x0,0x0] ...
//
// Time is the simulated µs with the ns as three decimals, right-aligned; `-` stands for the
// pid/tid of events that have none (context_switch, tlb_flush, ipi, counter). The other fields
// follow in schema order as key=value: numbers in decimal, 64-bit values in 0x hex, bytes as
// hex pairs, arrays as [a,b,...], strings bare when they are one plain word and JSON-quoted
// otherwise, pt_regs as {ip=…,sp=…,ax=…} (all 21 registers with `regs: 'full'`), a counter's
// value in decimal. Absent optional fields are left out.
import type { TraceRecord } from '../record.js';
import type { FieldDef } from '../schema.js';
import { EVENTS_BY_NAME, PT_REGS_FIELDS } from '../schema.js';
import type { TraceEvent } from '../types.js';
import { TextChunks } from './text-chunks.js';

export interface TextExportOptions {
  /** pt_regs: `short` (default) shows ip, sp and ax; `full` all 21 registers in pt_regs order. */
  regs?: 'short' | 'full';
}

const SHORT_REGS = ['ip', 'sp', 'ax'] as const;
const PLAIN = /^[\w.:/+@-]+$/;

/** ns → "µs.nnn" (always three decimals). */
function micros(ns: number): string {
  const frac = ns % 1000;
  return `${(ns - frac) / 1000}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}

function valueText(field: FieldDef, value: unknown, regs: readonly string[]): string {
  switch (field.kind) {
    case 'string': {
      const text = value as string;
      return PLAIN.test(text) ? text : JSON.stringify(text);
    }
    case 'u64[]':
      return `[${(value as string[]).join(',')}]`;
    case 'pt_regs': {
      const all = value as Record<string, string>;
      return `{${regs.map((name) => `${name}=${all[name]}`).join(',')}}`;
    }
    default:
      return String(value); // numbers, booleans, hex strings, bytes as hex pairs
  }
}

/** The text line of one event (without a newline). */
export function formatTextEvent(event: TraceEvent, options: TextExportOptions = {}): string {
  const def = EVENTS_BY_NAME.get(event.type);
  if (!def) throw new Error(`unknown trace event type ${JSON.stringify(event.type)}`);
  const record = event as unknown as Record<string, unknown>;
  const regs = options.regs === 'full' ? PT_REGS_FIELDS : SHORT_REGS;
  const task = 'tid' in event ? `${event.pid}/${event.tid}` : '-';
  let line = `${micros(event.ts).padStart(12)} cpu${event.cpu} ${task} ${event.type.padEnd(14)}`;
  for (const field of def.fields) {
    if (field.name === 'cpu' || field.name === 'pid' || field.name === 'tid') continue;
    const value = record[field.name];
    if (value === undefined) continue;
    // a counter's value is a count: decimal reads better than hex
    const text =
      event.type === 'counter' && field.name === 'value'
        ? BigInt(value as string).toString()
        : valueText(field, value, regs);
    line += ` ${field.name}=${text}`;
  }
  return line;
}

/** Streams text lines to `write`: `event` (or `record`) per event in order, then `end`. */
export class TextExporter {
  private readonly out: TextChunks;
  private readonly options: TextExportOptions;

  constructor(write: (text: string) => void, options: TextExportOptions = {}) {
    this.out = new TextChunks(write);
    this.options = options;
  }

  event(event: TraceEvent): void {
    this.out.add(`${formatTextEvent(event, this.options)}\n`);
  }

  /** Adds one event read as a record (TraceReader.nextRecord, forEachTraceRecord). */
  record(r: TraceRecord): void {
    this.event(r.toEvent());
  }

  end(): void {
    this.out.flush();
  }
}

/** Exports `events` as text lines written in pieces to `write`. */
export async function exportText(
  events: AsyncIterable<TraceEvent> | Iterable<TraceEvent>,
  write: (text: string) => void,
  options: TextExportOptions = {},
): Promise<void> {
  const exporter = new TextExporter(write, options);
  for await (const event of events) exporter.event(event);
  exporter.end();
}
