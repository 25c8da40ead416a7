// jsonl export: one JSON object per event, keys in schema order ("type", "ts", then fields),
// 64-bit values as lowercase 0x hex strings. The exact text is a contract (DESIGN.md).
import type { FieldDef } from './schema.js';
import { EVENTS_BY_NAME, PT_REGS_FIELDS } from './schema.js';
import type { TraceEvent } from './types.js';

function valueText(field: FieldDef, value: unknown): string {
  switch (field.kind) {
    case 'u8':
    case 'u32':
    case 'i32':
      return String(value);
    case 'bool':
      return value ? 'true' : 'false';
    case 'u64':
    case 'i64':
    case 'string':
    case 'bytes': // already lowercase hex pairs
      return JSON.stringify(value);
    case 'u64[]':
      return `[${(value as string[]).map((v) => JSON.stringify(v)).join(',')}]`;
    case 'pt_regs': {
      const regs = value as Record<string, string>;
      return `{${PT_REGS_FIELDS.map((name) => `"${name}":${JSON.stringify(regs[name])}`).join(',')}}`;
    }
  }
}

/** One jsonl line for `event`, without the trailing newline. */
export function toJsonl(event: TraceEvent): string {
  const def = EVENTS_BY_NAME.get(event.type);
  if (!def) throw new Error(`unknown trace event type ${JSON.stringify(event.type)}`);
  const record = event as unknown as Record<string, unknown>;
  let line = `{"type":"${def.name}","ts":${record.ts}`;
  for (const field of def.fields) {
    const value = record[field.name];
    if (value === undefined) {
      if (field.optional) continue;
      throw new Error(`trace event ${def.name} has no field ${field.name}`);
    }
    line += `,"${field.name}":${valueText(field, value)}`;
  }
  return `${line}}`;
}
