import { describe, expect, it } from 'vitest';
import { hexOf, u64FromHalves, u64FromText, u64Words } from '../src/index.ts';
import { ByteDecoder, ByteEncoder, utf8Length } from '../src/varint.ts';

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

describe('ByteEncoder.utf8', () => {
  it('writes what TextEncoder writes, lone surrogates included', () => {
    const units = [0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xfffd, 0xffff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000];
    let seed = 1;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const texts = ['', 'plain', 'ünïcödé — €', '😀', '\ud800', '\udc00x', 'a\ud83d', '\ud83d\ude00\ud83d'];
    for (let i = 0; i < 2000; i++) {
      texts.push(
        String.fromCharCode(
          ...Array.from({ length: Math.floor(next() * 8) }, () => units[Math.floor(next() * units.length)]!),
        ),
      );
    }
    const encoder = new TextEncoder();
    for (const text of texts) {
      const e = new ByteEncoder(1);
      e.utf8(text);
      const expected = encoder.encode(text);
      expect(e.bytes.slice(0, e.pos), JSON.stringify(text)).toEqual(expected);
      expect(utf8Length(text)).toBe(expected.length);
    }
  });
});
