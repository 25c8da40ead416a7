// A sink that keeps every event as a decoded TraceEvent object (tests, small tools, the docs page).
import type { EventDef } from './schema.js';
import { SchemaSink } from './sink.js';
import { eventFromValues } from './event-object.js';
import type { TraceEvent } from './types.js';

export class MemorySink extends SchemaSink {
  readonly events: TraceEvent[] = [];

  record(event: EventDef, values: readonly unknown[]): void {
    this.events.push(eventFromValues(event, values));
  }
}
