/**
 * A minimal ELF64 little-endian section-header and symbol-table reader: enough for the
 * objdump-style lister and tests. Plain Uint8Array/DataView, no Node APIs.
 */

export interface ElfSection {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly entsize: number;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_* (0 notype, 1 object, 2 func, 3 section, 4 file). */
  readonly type: number;
  /** STB_* (0 local, 1 global, 2 weak). */
  readonly bind: number;
  readonly shndx: number;
}

/** SHF_EXECINSTR: the section holds instructions. */
export const SHF_EXECINSTR = 4;
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;

function u64(v: DataView, off: number): number {
  return v.getUint32(off, true) + v.getUint32(off + 4, true) * 4294967296;
}

function cstring(bytes: Uint8Array, off: number): string {
  let end = off;
  while (end < bytes.length && bytes[end] !== 0) end++;
  let s = '';
  for (let i = off; i < end; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

/** The section headers of an ELF64 little-endian file. Throws on anything else. */
export function readElfSections(bytes: Uint8Array): ElfSection[] {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new Error('not an ELF file');
  }
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new Error('not a little-endian ELF64 file');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = u64(v, 0x28);
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const raw: Omit<ElfSection, 'name'>[] = [];
  const nameOff: number[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    if (o + 64 > bytes.length) throw new Error('truncated section header table');
    nameOff.push(v.getUint32(o, true));
    raw.push({
      type: v.getUint32(o + 4, true), flags: u64(v, o + 8), addr: u64(v, o + 16), offset: u64(v, o + 24),
      size: u64(v, o + 32), link: v.getUint32(o + 40, true), entsize: u64(v, o + 56),
    });
  }
  const strtab = raw[shstrndx];
  return raw.map((s, i) => ({ ...s, name: strtab ? cstring(bytes, strtab.offset + (nameOff[i] ?? 0)) : '' }));
}

/** The entries of the .symtab section (empty when stripped). */
export function readElfSymbols(bytes: Uint8Array, sections: readonly ElfSection[] = readElfSections(bytes)): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return [];
  const strtab = sections[symtab.link];
  if (!strtab || strtab.type === SHT_NOBITS) return [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ElfSymbol[] = [];
  const n = Math.floor(symtab.size / 24);
  for (let i = 1; i < n; i++) {
    const o = symtab.offset + i * 24;
    const info = bytes[o + 4] as number;
    out.push({
      name: cstring(bytes, strtab.offset + v.getUint32(o, true)),
      type: info & 15,
      bind: info >> 4,
      shndx: v.getUint16(o + 6, true),
      value: u64(v, o + 8),
      size: u64(v, o + 16),
    });
  }
  return out;
}
