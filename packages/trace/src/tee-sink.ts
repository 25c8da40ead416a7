// Fans every event out to several sinks, in order.
import type { EventDef } from './schema.js';
import type { TraceSink } from './sink.js';
import { SchemaSink, dispatchToSink } from './sink.js';

export class TeeSink extends SchemaSink {
  readonly sinks: readonly TraceSink[];

  constructor(...sinks: TraceSink[]) {
    super();
    this.sinks = sinks;
  }

  record(event: EventDef, values: readonly unknown[]): void {
    for (const sink of this.sinks) dispatchToSink(sink, event, values);
  }

  override flush(): void {
    for (const sink of this.sinks) sink.flush();
  }

  override close(): void {
    for (const sink of this.sinks) sink.close();
  }
}
