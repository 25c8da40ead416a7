// TypeScript types derived from the schema: the decoded event objects (what readers yield and
// jsonl prints) and the argument types the producer passes to a TraceSink.
import type { EventDefOf, EventName, FieldDef, FieldKind, PtRegsField } from './schema.js';

/** A 64-bit value as lowercase hex with a 0x prefix and no leading zeros ("0x0", "0xffffffffffffffda"). */
export type Hex = `0x${string}`;

/** The 21 pt_regs fields as hex strings. */
export type PtRegsHex = { [K in PtRegsField]: Hex };

/**
 * A 64-bit value passed to a sink on the hot path: a JS number when it is a safe integer
 * (negative numbers mean two's complement, so -38 is 0xffffffffffffffda and a canonical kernel
 * address is its sign-extended value), or a bigint for the rare full-width value.
 */
export type U64In = number | bigint;

/**
 * 64-bit values as 32-bit halves, little-endian pairs: element 2*i is the low half of value i,
 * element 2*i+1 its high half. A Uint32Array view of pt_regs' bytes on a little-endian host
 * has exactly this layout, so the kernel can pass one without copying.
 */
export type U64Words = ArrayLike<number>;

interface OutKinds {
  u8: number;
  u32: number;
  i32: number;
  u64: Hex;
  i64: Hex;
  bool: boolean;
  string: string;
  'u64[]': Hex[];
  bytes: string;
  pt_regs: PtRegsHex;
}

interface InKinds {
  u8: number;
  u32: number;
  i32: number;
  u64: U64In;
  i64: U64In;
  bool: boolean;
  string: string;
  'u64[]': U64Words;
  bytes: Uint8Array;
  pt_regs: U64Words;
}

export type OutValue<K extends FieldKind> = OutKinds[K];
export type InValue<K extends FieldKind> = InKinds[K];

type Fields<N extends EventName> = EventDefOf<N>['fields'][number];
type Simplify<T> = { [K in keyof T]: T[K] };

type FieldsObject<N extends EventName> = Simplify<
  {
    [F in Fields<N> as F extends { optional: true } ? never : F['name']]: OutValue<F['kind']>;
  } & {
    [F in Fields<N> as F extends { optional: true } ? F['name'] : never]?: OutValue<F['kind']>;
  }
>;

/** One decoded event of type N: `type`, simulated time `ts` in ns, then its schema fields. */
export type TraceEventOf<N extends EventName> = Simplify<{ type: N; ts: number } & FieldsObject<N>>;

/** Any decoded trace event (a discriminated union on `type`). */
export type TraceEvent = { [N in EventName]: TraceEventOf<N> }[EventName];

type InArg<F extends FieldDef> = F extends { optional: true }
  ? InValue<F['kind']> | undefined
  : InValue<F['kind']>;

type ArgsOfFields<F extends readonly FieldDef[]> = {
  -readonly [I in keyof F]: F[I] extends FieldDef ? InArg<F[I]> : never;
};

/** The positional arguments (after ts) a sink method of event N takes, in schema order. */
export type SinkArgs<N extends EventName> = ArgsOfFields<EventDefOf<N>['fields']>;
