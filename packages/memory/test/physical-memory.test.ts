import { describe, expect, test } from 'vitest';
import { PhysicalMemory } from '../src/index.js';

describe('PhysicalMemory', () => {
  test('a few GiB cost only the frames that are written; untouched memory reads 0', () => {
    const mem = new PhysicalMemory({ size: 4 * 1024 * 1024 * 1024 });
    const pa = 0xe0000000 + 0x123;
    expect(mem.read32(pa)).toBe(0);
    expect(mem.residentFrames).toBe(0);
    mem.write32(pa, 0xdeadbeef);
    expect(mem.read32(pa)).toBe(0xdeadbeef);
    expect(mem.read16(pa + 2)).toBe(0xdead);
    expect(mem.read8(pa)).toBe(0xef);
    expect(mem.residentFrames).toBe(1);
  });

  test('addresses beyond the memory size read all-ones and ignore writes', () => {
    const mem = new PhysicalMemory({ size: 1 << 20 });
    mem.write32(1 << 20, 5);
    expect(mem.read8(1 << 20)).toBe(0xff);
    expect(mem.read32(1 << 20)).toBe(0xffffffff);
  });

  test('little-endian accesses work across a frame boundary', () => {
    const mem = new PhysicalMemory({ size: 1 << 20 });
    mem.write32(0x1ffe, 0x11223344);
    expect(mem.read8(0x1ffe)).toBe(0x44);
    expect(mem.read8(0x2001)).toBe(0x11);
    expect(mem.read32(0x1ffe)).toBe(0x11223344);
    mem.write16(0x2fff, 0xabcd);
    expect(mem.read16(0x2fff)).toBe(0xabcd);
  });

  test('every write bumps the version of the frame it lands in', () => {
    const mem = new PhysicalMemory({ size: 1 << 20 });
    const v = mem.pageVersions;
    mem.write8(0x3000, 1);
    mem.write16(0x3002, 1);
    mem.write32(0x3004, 1);
    expect(v[3]).toBe(3);
    mem.write32(0x3ffe, 0xffffffff); // splits into frames 3 and 4
    expect(v[3]).toBeGreaterThan(3);
    expect(v[4]).toBeGreaterThan(0);
    mem.writeBytes(0x4ff0, new Uint8Array(32).fill(7));
    expect(v[5]).toBe(1);
    expect(v[2]).toBe(0);
  });

  test('readBytes/writeBytes copy across frames and read zeros from untouched frames', () => {
    const mem = new PhysicalMemory({ size: 1 << 20 });
    const src = new Uint8Array(10000).map((_, i) => i & 0xff);
    mem.writeBytes(0x5800, src);
    const dst = new Uint8Array(10004);
    mem.readBytes(0x5800, dst, 2, 10000);
    expect(dst.subarray(2, 10002)).toEqual(src);
    const zeros = new Uint8Array(16).fill(9);
    mem.readBytes(0x80000, zeros);
    expect(zeros.every((b) => b === 0)).toBe(true);
  });

  test('allocFrame hands out zeroed frames, reusing freed ones', () => {
    const mem = new PhysicalMemory({ size: 1 << 22, allocStart: 0x10000 });
    const a = mem.allocFrame();
    expect(a).toBe(0x10000);
    mem.write32(a + 8, 0x12345678);
    mem.freeFrame(a);
    const b = mem.allocFrame();
    expect(b).toBe(a);
    expect(mem.read32(a + 8)).toBe(0);
    expect(mem.allocator.framesInUse).toBe(1);
  });

  test('allocPages returns naturally aligned contiguous blocks (64 KiB kernel stacks)', () => {
    const mem = new PhysicalMemory({ size: 1 << 22, allocStart: 0x1000 });
    const one = mem.allocFrame();
    const stack = mem.allocPages(4);
    expect(stack % 0x10000).toBe(0);
    expect(stack).toBeGreaterThan(one);
    // the gap before the aligned block is still usable
    const gap = mem.allocFrame();
    expect(gap).toBe(one + 0x1000);
    expect(() => mem.freePages(stack + 0x1000, 4)).toThrow();
    mem.freePages(stack, 4);
    expect(() => mem.freePages(stack, 4)).toThrow(/not allocated/);
  });

  test('once memory is exhausted, freed large blocks are split for smaller requests', () => {
    const mem = new PhysicalMemory({ size: 0x10000, allocStart: 0 });
    const stack = mem.allocPages(4);
    expect(mem.allocFrame()).toBe(-1);
    mem.freePages(stack, 4);
    const pages = Array.from({ length: 16 }, () => mem.allocFrame());
    expect(new Set(pages).size).toBe(16);
    expect(Math.min(...pages)).toBe(0);
    expect(mem.allocFrame()).toBe(-1);
  });

  test('allocation reports exhaustion with -1', () => {
    const mem = new PhysicalMemory({ size: 0x4000, allocStart: 0 });
    for (let i = 0; i < 4; i++) expect(mem.allocFrame()).toBeGreaterThanOrEqual(0);
    expect(mem.allocFrame()).toBe(-1);
  });
});
