// Turns a sink call (schema entry + [ts, ...fields]) into a decoded TraceEvent object.
import type { EventDef, FieldKind } from './schema.js';
import type { Hex, TraceEvent, U64In, U64Words } from './types.js';
import { ptRegsObject } from './pt-regs-object.js';
import { bytesHex } from './record.js';
import { hexOf, hexOfHalves } from './u64.js';

function wordsToHex(words: U64Words): Hex[] {
  const out: Hex[] = [];
  for (let i = 0; i + 1 < words.length; i += 2) out.push(hexOfHalves(words[i + 1]! >>> 0, words[i]! >>> 0));
  return out;
}

function convert(kind: FieldKind, value: unknown): unknown {
  switch (kind) {
    case 'u64':
    case 'i64':
      return hexOf(value as U64In);
    case 'u64[]':
      return wordsToHex(value as U64Words);
    case 'bytes':
      return bytesHex(value as Uint8Array);
    case 'pt_regs':
      return ptRegsObject(value as U64Words, 0, hexOfHalves);
    default:
      return value;
  }
}

/** The decoded event for `values` = [ts, ...fields in schema order]. */
export function eventFromValues(def: EventDef, values: readonly unknown[]): TraceEvent {
  const event: Record<string, unknown> = { type: def.name, ts: values[0] };
  def.fields.forEach((field, i) => {
    const value = values[i + 1];
    if (field.optional && value === undefined) return;
    event[field.name] = convert(field.kind, value);
  });
  return event as TraceEvent;
}
