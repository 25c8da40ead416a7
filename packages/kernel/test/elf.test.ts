import { describe, expect, test } from 'vitest';
import { ExecFormatError, parseElf } from '../src/index.js';

function header(patch: (v: DataView, b: Uint8Array) => void = () => {}): Uint8Array {
  const b = new Uint8Array(0x2000);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setUint16(16, 2, true);
  v.setUint16(18, 62, true);
  v.setBigUint64(24, 0x401000n, true);
  v.setBigUint64(32, 64n, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, 1, true);
  v.setUint32(64, 1, true); // PT_LOAD
  v.setUint32(68, 5, true);
  v.setBigUint64(72, 0n, true);
  v.setBigUint64(80, 0x400000n, true);
  v.setBigUint64(96, 0x2000n, true);
  v.setBigUint64(104, 0x2000n, true);
  patch(v, b);
  return b;
}

describe('parseElf validates every field the loader uses', () => {
  test('a well-formed static executable', () => {
    const elf = parseElf(header());
    expect(elf.entry).toBe(0x401000);
    expect(elf.phdrs[0]!.vaddr).toBe(0x400000);
  });
  test.each([
    ['bad magic', (_v: DataView, b: Uint8Array) => (b[1] = 0), /bad magic/],
    ['32-bit', (_v: DataView, b: Uint8Array) => (b[4] = 1), /64-bit/],
    ['big-endian', (_v: DataView, b: Uint8Array) => (b[5] = 2), /little-endian/],
    ['another machine', (v: DataView) => v.setUint16(18, 183, true), /e_machine 183/],
    ['a relocatable object', (v: DataView) => v.setUint16(16, 1, true), /e_type 1/],
    ['bad e_phentsize', (v: DataView) => v.setUint16(54, 32, true), /e_phentsize/],
    ['no program headers', (v: DataView) => v.setUint16(56, 0, true), /e_phnum/],
    ['headers past the end', (v: DataView) => v.setBigUint64(32, 0x1ff0n, true), /outside the file/],
    ['segment past the end', (v: DataView) => (v.setBigUint64(96, 0x3000n, true), v.setBigUint64(104, 0x3000n, true)), /outside the file/],
    ['filesz > memsz', (v: DataView) => v.setBigUint64(104, 0x1000n, true), /p_filesz exceeds p_memsz/],
    ['segment in kernel space', (v: DataView) => v.setBigUint64(80, 0xffffffff80000000n, true), /too large|beyond user space/],
    ['an interpreter', (v: DataView) => v.setUint32(64, 3, true), /dynamically linked/],
    ['misaligned offset', (v: DataView) => (v.setBigUint64(72, 0x10n, true), v.setBigUint64(96, 0x100n, true)), /congruent/],
  ])('%s', (_name, patch, message) => {
    expect(() => parseElf(header(patch))).toThrow(ExecFormatError);
    expect(() => parseElf(header(patch))).toThrow(message);
  });
});
