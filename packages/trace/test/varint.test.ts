import { describe, expect, it } from 'vitest';
import { hexOf, u64FromHalves, u64FromText, u64Words } from '../src/index.ts';
import { ByteDecoder, ByteEncoder } from '../src/varint.ts';

const EDGES = [
  0n,
  1n,
  0x7fn,
  0x80n,
  0xffffffffn,
  0x100000000n,
  (1n << 53n) - 1n,
  1n << 53n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xffff880000049000n,
  0xffffffffffffffdan,
  0xffffffffffffffffn,
];

describe('64-bit values as 32-bit halves', () => {
  it('zigzag-varint round trips the edges, absolute and as deltas', () => {
    for (const v of EDGES) {
      for (const prevValue of EDGES) {
        const enc = new ByteEncoder(1);
        const prev = Uint32Array.of(Number(prevValue & 0xffffffffn), Number(prevValue >> 32n));
        enc.zig64(Number(v >> 32n), Number(v & 0xffffffffn));
        enc.zigDelta64(Number(v >> 32n), Number(v & 0xffffffffn), prev, 0);
        const dec = new ByteDecoder(enc.bytes, 0, enc.pos);
        dec.zig64('v');
        expect(BigInt(dec.hi) * 2n ** 32n + BigInt(dec.lo)).toBe(v);
        const state = Uint32Array.of(Number(prevValue & 0xffffffffn), Number(prevValue >> 32n));
        dec.zigDelta64(state, 0, 'v');
        expect(BigInt(dec.hi) * 2n ** 32n + BigInt(dec.lo), `${v} after ${prevValue}`).toBe(v);
        expect(dec.pos).toBe(enc.pos);
      }
    }
  });

  it('encodes small signed values and repeated values in one byte', () => {
    const enc = new ByteEncoder();
    enc.zigNumber(-38);
    expect(enc.pos).toBe(1);
    const prev = new Uint32Array(2);
    enc.zigDelta64(0xffff8800, 0x49000, prev, 0);
    const before = enc.pos;
    enc.zigDelta64(0xffff8800, 0x49000, prev, 0);
    expect(enc.pos - before).toBe(1);
  });

  it('formats numbers, bigints and halves as the same lowercase hex', () => {
    expect(hexOf(-38)).toBe('0xffffffffffffffda');
    expect(hexOf(0xffffffffffffffdan)).toBe('0xffffffffffffffda');
    expect(hexOf(0x401000)).toBe('0x401000');
    expect(hexOf(0)).toBe('0x0');
    expect(hexOf(u64FromText('0xffff880000049000'))).toBe('0xffff880000049000');
    expect(u64FromHalves(0xffff8800, 0x49000)).toBe(-0x77fffffb7000);
    expect(u64FromHalves(0x80000000, 0)).toBe(0x8000000000000000n);
    expect(Array.from(u64Words([-1, 0x100000002]))).toEqual([0xffffffff, 0xffffffff, 2, 1]);
  });
});
