// BinaryTraceWriter encodes syscall_entry, syscall_exit, instruction and counter with
// hand-written fast paths; the schema-driven `record` encodes everything. Both must give the
// same bytes.
import { describe, expect, it } from 'vitest';
import type { EventDef, U64In } from '../src/index.ts';
import { BinaryTraceWriter, EVENTS_BY_NAME, encodeTrace, readTrace, u64Words } from '../src/index.ts';

/** mulberry32, as in fuzz.test.ts */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Call = [method: 'syscallEntry' | 'syscallExit' | 'instruction' | 'counter', args: unknown[]];

/** Random calls mixing small, repeating and full-width values (numbers and bigints). */
function randomCalls(seed: number, count: number): Call[] {
  const random = rng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const u64 = (): U64In => {
    switch (int(6)) {
      case 0:
        return int(64);
      case 1:
        return -int(4096);
      case 2:
        return 0x7ffffffde000 - int(64) * 8;
      case 3:
        return -0x77fffffb70a8 + int(4) * 8;
      case 4:
        return (BigInt(int(0x100000000)) << 32n) | BigInt(int(0x100000000));
      default:
        return Number.MAX_SAFE_INTEGER - int(10);
    }
  };
  const words = (n: number) => u64Words(Array.from({ length: n }, u64));
  // interned names, then (past the intern cap) inline ones, some beyond ASCII and some with lone surrogates
  const names = [
    'read',
    'write',
    'getpid',
    'exit_group',
    `odd name ${int(3)}`,
    'ünïcödé €',
    '😀 pair',
    '\ud800 lone',
  ];
  // some lines long enough to make the payload 128 bytes or more (a longer length varint)
  const strace = () =>
    int(3) === 0
      ? undefined
      : `call(${int(1000)}, "${names[int(names.length)]}${int(20) === 0 ? 'long '.repeat(int(5000)) : ''}") = ${int(10)}`;
  const regs = words(21);
  const calls: Call[] = [];
  let ts = 0;
  for (let i = 0; i < count; i++) {
    ts += int(3) === 0 ? -int(100) : int(100_000);
    ts = Math.max(0, ts);
    const task = [int(4), 1 + int(3), 1 + int(3)];
    // change a few registers, like a real syscall loop
    for (let k = int(4); k > 0; k--) {
      const r = int(21);
      regs[2 * r] = int(0x100000000);
      regs[2 * r + 1] = int(3) === 0 ? int(0x100000000) : 0;
    }
    switch (int(4)) {
      case 0:
        calls.push([
          'syscallEntry',
          [
            ts,
            ...task,
            int(512),
            names[int(names.length)],
            words(int(3) === 0 ? int(12) : 6),
            u64(),
            u64(),
            regs.slice(),
            int(2) === 0,
            strace(),
          ],
        ]);
        break;
      case 1:
        calls.push([
          'syscallExit',
          [ts, ...task, int(512), u64(), int(2) === 0, int(5) === 0, int(2) ? 'sysret' : 'iret', strace()],
        ]);
        break;
      case 2:
        calls.push(['counter', [ts, task[0], ['instructions', 'tlb_hits', 'runqueue'][int(3)], u64()]]);
        break;
      default:
        calls.push([
          'instruction',
          [
            ts,
            ...task,
            u64(),
            Uint8Array.from({ length: 1 + int(15) }, () => int(256)),
            int(2) * 3,
            u64(),
            u64(),
            u64(),
          ],
        ]);
    }
  }
  return calls;
}

const DEFS: Record<Call[0], EventDef> = {
  syscallEntry: EVENTS_BY_NAME.get('syscall_entry')!,
  syscallExit: EVENTS_BY_NAME.get('syscall_exit')!,
  instruction: EVENTS_BY_NAME.get('instruction')!,
  counter: EVENTS_BY_NAME.get('counter')!,
};

describe('BinaryTraceWriter fast paths', () => {
  it('write the same bytes as the schema-driven encoder, for random events', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const calls = randomCalls(seed, 2000);
      const options = { header: { seed }, maxInternedStrings: 50 };
      const fast = encodeTrace((w) => {
        for (const [method, args] of calls) (w[method] as (...a: unknown[]) => void)(...args);
      }, options);
      const generic = encodeTrace((w) => {
        for (const [method, args] of calls) w.record(DEFS[method], args);
      }, options);
      expect(fast.length).toBeGreaterThan(10_000);
      expect(fast.length === generic.length && fast.every((b, i) => b === generic[i]), `seed ${seed}`).toBe(
        true,
      );
      expect(readTrace(fast).events).toHaveLength(calls.length);
    }
  });

  it('are the methods a kernel calls', () => {
    const w = new BinaryTraceWriter(() => {});
    expect(w.syscallEntry).toBe(BinaryTraceWriter.prototype.writeSyscallEntry);
    expect(w.syscallExit).toBe(BinaryTraceWriter.prototype.writeSyscallExit);
    expect(w.instruction).toBe(BinaryTraceWriter.prototype.writeInstruction);
    expect(w.counter).toBe(BinaryTraceWriter.prototype.writeCounter);
  });
});
