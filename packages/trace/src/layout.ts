// What the reader and the record need to know about each event type, computed once from the
// schema: field kinds as small integers (a switch on numbers, not strings), delta-state slots,
// the names errors mention (built here, not per event), and how many fields each minor version
// of the format wrote (fields appended by a later minor version are absent from older files).
import { DeltaState } from './delta.js';
import { FORMAT_MINOR } from './format.js';
import type { EventDef, FieldKind } from './schema.js';
import { EVENT_SCHEMA, PT_REGS_FIELDS } from './schema.js';

export const K_U8 = 0;
export const K_U32 = 1;
export const K_I32 = 2;
export const K_BOOL = 3;
export const K_U64 = 4;
export const K_STRING = 5;
export const K_U64_ARRAY = 6;
export const K_BYTES = 7;
export const K_PT_REGS = 8;

const KIND_CODES: Record<FieldKind, number> = {
  u8: K_U8,
  u32: K_U32,
  i32: K_I32,
  bool: K_BOOL,
  u64: K_U64,
  i64: K_U64,
  string: K_STRING,
  'u64[]': K_U64_ARRAY,
  bytes: K_BYTES,
  pt_regs: K_PT_REGS,
};

export interface EventLayout {
  readonly def: EventDef;
  /** Kind code (K_*) per field. */
  readonly kinds: Uint8Array;
  /** 1 for an optional field (a presence byte precedes it). */
  readonly optional: Uint8Array;
  /** First delta-state slot per field, -1 for fields without one. */
  readonly base: Int32Array;
  /** "event.field" per field, for error messages. */
  readonly what: readonly string[];
  /** "event.field.reg" per pt_regs register, for error messages. */
  readonly regWhat: readonly (readonly string[])[];
  /** Field name → index. */
  readonly index: ReadonlyMap<string, number>;
  /** Number of fields a file of minor version m holds, for m = 0..FORMAT_MINOR. */
  readonly fieldsByMinor: readonly number[];
}

/** The minor version of a `since` value ("1.1" → 1; absent → 0). */
function sinceMinor(since: string | undefined): number {
  return since === undefined ? 0 : Number(since.split('.')[1] ?? 0);
}

function layoutOf(def: EventDef): EventLayout {
  const n = def.fields.length;
  const kinds = new Uint8Array(n);
  const optional = new Uint8Array(n);
  const base = new Int32Array(n);
  const what: string[] = [];
  const regWhat: string[][] = [];
  const index = new Map<string, number>();
  def.fields.forEach((f, i) => {
    kinds[i] = KIND_CODES[f.kind];
    optional[i] = f.optional ? 1 : 0;
    base[i] = DeltaState.base(def.id, i);
    what.push(`${def.name}.${f.name}`);
    regWhat.push(f.kind === 'pt_regs' ? PT_REGS_FIELDS.map((r) => `${def.name}.${f.name}.${r}`) : []);
    index.set(f.name, i);
  });
  const fieldsByMinor: number[] = [];
  for (let m = 0; m <= FORMAT_MINOR; m++) {
    // Appended fields come last, so a file of version m holds a prefix of the field list.
    let count = 0;
    while (count < n && sinceMinor(def.fields[count]!.since) <= m) count++;
    fieldsByMinor.push(count);
  }
  return { def, kinds, optional, base, what, regWhat, index, fieldsByMinor };
}

/** Layouts indexed by event id (undefined for ids the schema does not define). */
export const LAYOUTS: readonly (EventLayout | undefined)[] = (() => {
  const out: (EventLayout | undefined)[] = [];
  for (const def of EVENT_SCHEMA as readonly EventDef[]) out[def.id] = layoutOf(def);
  return out;
})();

/** The most fields any event has (the size of a TraceRecord's per-field arrays). */
export const MAX_FIELDS: number = Math.max(
  ...(EVENT_SCHEMA as readonly EventDef[]).map((d) => d.fields.length),
);
