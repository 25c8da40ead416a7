// Per-event-type "previous value" state shared by the writer and the reader: every 64-bit field
// is encoded as the difference from the same field in the previous event of the same type, so
// values that repeat (pt_regs addresses, sp0, cs, ss, flags, callee-saved registers) cost
// almost nothing. The layout of the state is derived from the schema.
import type { EventDef } from './schema.js';
import { EVENT_SCHEMA } from './schema.js';

/** Array elements beyond this index are not delta-encoded (they are written absolute). */
export const MAX_DELTA_ARRAY = 8;

/** For each event id: the first state slot (a slot = 2 words) of each field, or -1. */
const slotBase = new Map<number, Int32Array>();
const slotCount = new Map<number, number>();

for (const def of EVENT_SCHEMA as readonly EventDef[]) {
  const bases = new Int32Array(def.fields.length).fill(-1);
  let n = 0;
  def.fields.forEach((f, i) => {
    if (f.kind === 'u64' || f.kind === 'i64') {
      bases[i] = n;
      n += 1;
    } else if (f.kind === 'u64[]') {
      bases[i] = n;
      n += MAX_DELTA_ARRAY;
    } else if (f.kind === 'pt_regs') {
      bases[i] = n;
      n += 21;
    }
  });
  slotBase.set(def.id, bases);
  slotCount.set(def.id, n);
}

/** Delta state of one writer or reader: previous values as halves, per event type. */
export class DeltaState {
  // indexed by event id (ids are small): an array read per event, not a Map lookup
  private readonly states: (Uint32Array | undefined)[] = [];

  /** Words of event `id` (value of slot s: lo at 2s, hi at 2s+1), zero at the start of a trace. */
  words(id: number): Uint32Array {
    let s = this.states[id];
    if (!s) {
      s = new Uint32Array(2 * (slotCount.get(id) ?? 0));
      this.states[id] = s;
    }
    return s;
  }

  /** First slot of field `field` of event `id`. */
  static base(id: number, field: number): number {
    return slotBase.get(id)?.[field] ?? -1;
  }
}
