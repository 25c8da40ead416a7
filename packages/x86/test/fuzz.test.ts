import { describe, expect, it } from 'vitest';
import { DecodeStatus, Decoder, Instruction } from '../src/index.js';
import { formatAtt } from '../src/format/index.js';

/** xorshift32: deterministic, so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

describe('random bytes', () => {
  it('never throw, and Ok results are well-formed (100k sequences)', () => {
    const next = rng(0x1e9051);
    const dec = new Decoder();
    const ins = new Instruction();
    const buf = new Uint8Array(16);
    // bias towards interesting bytes: prefixes, escapes, VEX/EVEX
    const hot = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x64, 0x65, 0x48, 0x41, 0x0f, 0x38, 0x3a, 0xc4, 0xc5, 0x62];
    let ok = 0;
    for (let i = 0; i < 100_000; i++) {
      for (let j = 0; j < 16; j++) {
        const r = next();
        buf[j] = (r & 3) === 0 ? (hot[(r >>> 8) % hot.length] as number) : (r >>> 16) & 0xff;
      }
      const avail = 1 + (next() % 16);
      const st = dec.decode(buf, 0, avail, 0x401000, ins);
      if (st === DecodeStatus.Ok) {
        ok++;
        if (ins.length < 1 || ins.length > 15 || ins.length > avail) throw new Error(`bad length ${ins.length} for ${Array.from(buf.subarray(0, avail))}`);
        formatAtt(ins);
      } else if (st === DecodeStatus.NeedMoreBytes) {
        // more bytes must never turn a NeedMoreBytes into a shorter instruction
        const st2 = dec.decode(buf, 0, 16, 0x401000, ins);
        if (st2 === DecodeStatus.Ok && ins.length <= avail) throw new Error('NeedMoreBytes but fits');
      }
    }
    expect(ok).toBeGreaterThan(10_000);
  });
});
