// The interface the kernel (and anything else producing events) calls, one method per event
// type. Every method takes the simulated time in ns first, then the event's fields in schema
// order. Implementations usually extend SchemaSink and implement only `record`.
import type { EventDef, EventName } from './schema.js';
import { EVENT_SCHEMA } from './schema.js';
import type { SinkArgs, U64In, U64Words } from './types.js';

export interface TraceSink {
  /** `args`: 6 values as U64Words (12 words). `regs`: the 21 pt_regs fields as U64Words (42 words). */
  syscallEntry(
    ts: number,
    cpu: number,
    pid: number,
    tid: number,
    nr: number,
    name: string,
    args: U64Words,
    ptRegs: U64In,
    sp0: U64In,
    regs: U64Words,
    irqsEnabled: boolean,
    strace?: string,
  ): void;
  /** `path`: "sysret" or "iret". */
  syscallExit(
    ts: number,
    cpu: number,
    pid: number,
    tid: number,
    nr: number,
    ret: U64In,
    irqsEnabled: boolean,
    warned: boolean,
    path: string,
    strace?: string,
  ): void;
  warn(ts: number, cpu: number, pid: number, tid: number, message: string): void;
  exception(
    ts: number,
    cpu: number,
    pid: number,
    tid: number,
    vector: number,
    errorCode: U64In,
    cr2: U64In,
    depth: number,
    sp: U64In,
    taskPtRegs: U64In,
  ): void;
  irqEntry(
    ts: number,
    cpu: number,
    pid: number,
    tid: number,
    vector: number,
    depth: number,
    sp: U64In,
    taskPtRegs: U64In,
  ): void;
  irqExit(ts: number, cpu: number, pid: number, tid: number, vector: number, depth: number): void;
  pageFault(
    ts: number,
    cpu: number,
    pid: number,
    tid: number,
    address: U64In,
    error: number,
    resolution: string,
  ): void;
  contextSwitch(ts: number, cpu: number, prevTid: number, nextTid: number): void;
  taskNew(
    ts: number,
    cpu: number,
    pid: number,
    tid: number,
    parentTid: number | undefined,
    comm: string,
  ): void;
  taskExit(ts: number, cpu: number, pid: number, tid: number, code: number, signal?: number): void;
  tlbFlush(ts: number, cpu: number, reason: string, address: U64In): void;
  ipi(ts: number, cpu: number, from: number, to: number, vector: number): void;
  /** `bytes`: the instruction's encoding (the sink copies what it keeps). */
  instruction(
    ts: number,
    cpu: number,
    pid: number,
    tid: number,
    ip: U64In,
    bytes: Uint8Array,
    cpl: number,
    sp: U64In,
    flags: U64In,
    gsBase: U64In,
  ): void;
  counter(ts: number, cpu: number, name: string, value: U64In): void;
  /** Writes out anything buffered. */
  flush(): void;
  /** Flushes and ends the trace; no events may follow. */
  close(): void;
}

// Compile-time proof that the hand-written signatures above (kept for their parameter names)
// are exactly the schema's fields in order.
type MethodOf<N extends EventName> = Extract<(typeof EVENT_SCHEMA)[number], { name: N }>['method'];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fields appended by a minor version are optional trailing parameters (producers written for
// the older version still compile), optional fields are `| undefined`: compare without either.
type Defined<T extends readonly unknown[]> = { [K in keyof T]-?: Exclude<T[K], undefined> };
type SchemaMatches = {
  [N in EventName]: Same<
    Defined<Parameters<TraceSink[MethodOf<N> & keyof TraceSink]>>,
    Defined<[ts: number, ...SinkArgs<N>]>
  >;
}[EventName];
const schemaMatches: false extends SchemaMatches ? never : true = true;
void schemaMatches;

/**
 * Base class for sinks: each TraceSink method forwards `(event, [ts, ...fields])` to `record`.
 * The per-event methods are installed from the schema, so a subclass implements one method.
 */
export abstract class SchemaSink implements TraceSink {
  /** Receives every event: its schema entry and `[ts, ...fields]` in schema order. */
  abstract record(event: EventDef, values: readonly unknown[]): void;
  flush(): void {}
  close(): void {
    this.flush();
  }
  declare syscallEntry: TraceSink['syscallEntry'];
  declare syscallExit: TraceSink['syscallExit'];
  declare warn: TraceSink['warn'];
  declare exception: TraceSink['exception'];
  declare irqEntry: TraceSink['irqEntry'];
  declare irqExit: TraceSink['irqExit'];
  declare pageFault: TraceSink['pageFault'];
  declare contextSwitch: TraceSink['contextSwitch'];
  declare taskNew: TraceSink['taskNew'];
  declare taskExit: TraceSink['taskExit'];
  declare tlbFlush: TraceSink['tlbFlush'];
  declare ipi: TraceSink['ipi'];
  declare instruction: TraceSink['instruction'];
  declare counter: TraceSink['counter'];
}

for (const event of EVENT_SCHEMA) {
  Object.defineProperty(SchemaSink.prototype, event.method, {
    value: function (this: SchemaSink, ...values: unknown[]): void {
      this.record(event, values);
    },
    writable: true,
    configurable: true,
  });
}

/** Calls the TraceSink method of `event` on any sink with `[ts, ...fields]`. */
export function dispatchToSink(sink: TraceSink, event: EventDef, values: readonly unknown[]): void {
  if (sink instanceof SchemaSink) {
    sink.record(event, values);
    return;
  }
  const method = (sink as unknown as Record<string, (...a: unknown[]) => void>)[event.method]!;
  method.apply(sink, values as unknown[]);
}
