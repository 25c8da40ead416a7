// A sink that writes one jsonl line (with its trailing "\n") per event to a callback.
import type { EventDef } from './schema.js';
import { SchemaSink } from './sink.js';
import { eventFromValues } from './event-object.js';
import { toJsonl } from './jsonl.js';

export class JsonlSink extends SchemaSink {
  private readonly write: (line: string) => void;

  constructor(write: (line: string) => void) {
    super();
    this.write = write;
  }

  record(event: EventDef, values: readonly unknown[]): void {
    this.write(`${toJsonl(eventFromValues(event, values))}\n`);
  }
}
