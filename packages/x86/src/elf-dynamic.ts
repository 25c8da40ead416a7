/**
 * The dynamic side of an ELF64 little-endian file — `.dynsym` with its symbol versions and
 * the dynamic relocations — as far as an objdump-style listing of a shared object (or of a
 * dynamically linked executable) needs it to name addresses. Plain Uint8Array/DataView.
 */
import type { ElfSection, ElfSymbol } from './elf-sections.js';

/** A `.dynsym` entry with the version objdump appends to its name (`memcpy@@GLIBC_2.14`). */
export interface ElfDynamicSymbol extends ElfSymbol {
  /** The version name from `.gnu.version`/`.gnu.version_d`/`.gnu.version_r`; `''` when none. */
  readonly version: string;
  /** A hidden (non-default) version or a reference to another object's version: printed `name@VER`, not `name@@VER`. */
  readonly hidden: boolean;
}

/** One entry of a SHT_RELA section linked to `.dynsym` (`.rela.dyn`, `.rela.plt`). */
export interface ElfDynamicReloc {
  /** r_offset: the address the relocation patches (a GOT slot, a data word). */
  readonly offset: number;
  /** ELF64_R_TYPE (R_X86_64_*). */
  readonly type: number;
  /** ELF64_R_SYM: index into `.dynsym` (0: no symbol, as for R_X86_64_RELATIVE / IRELATIVE). */
  readonly symbol: number;
  readonly addend: bigint;
}

const SHT_RELA = 4;
const SHT_DYNSYM = 11;
const SHT_GNU_VERDEF = 0x6ffffffd;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
const VER_FLG_BASE = 1;
const VERSYM_HIDDEN = 0x8000;

function u64(v: DataView, off: number): number {
  return v.getUint32(off, true) + v.getUint32(off + 4, true) * 4294967296;
}

function cstring(bytes: Uint8Array, off: number): string {
  let s = '';
  for (let i = off; i < bytes.length && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Version definitions by index (vd_ndx) and the flags of the first (the file's own base version). */
function readVerdef(bytes: Uint8Array, sec: ElfSection, strtab: ElfSection): { names: Map<number, string>; count: number; baseFlags: number } {
  const v = view(bytes);
  const names = new Map<number, string>();
  let count = 0;
  let baseFlags = 0;
  let off = sec.offset;
  for (let i = 0; off + 20 <= bytes.length && off < sec.offset + sec.size; i++) {
    const flags = v.getUint16(off + 2, true);
    const ndx = v.getUint16(off + 4, true);
    const aux = v.getUint32(off + 12, true);
    const next = v.getUint32(off + 16, true);
    if (i === 0) baseFlags = flags;
    // The first Verdaux names the version (vda_name).
    names.set(ndx, cstring(bytes, strtab.offset + v.getUint32(off + aux, true)));
    count = Math.max(count, ndx);
    if (next === 0) break;
    off += next;
  }
  return { names, count, baseFlags };
}

/** Versions this file needs from others, by index (vna_other). */
function readVerneed(bytes: Uint8Array, sec: ElfSection, strtab: ElfSection): Map<number, string> {
  const v = view(bytes);
  const names = new Map<number, string>();
  let off = sec.offset;
  while (off + 16 <= bytes.length && off < sec.offset + sec.size) {
    const cnt = v.getUint16(off + 2, true);
    let aux = off + v.getUint32(off + 8, true);
    for (let j = 0; j < cnt && aux + 16 <= bytes.length; j++) {
      names.set(v.getUint16(aux + 6, true), cstring(bytes, strtab.offset + v.getUint32(aux + 8, true)));
      const next = v.getUint32(aux + 12, true);
      if (next === 0) break;
      aux += next;
    }
    const next = v.getUint32(off + 12, true);
    if (next === 0) break;
    off += next;
  }
  return names;
}

/**
 * Every `.dynsym` entry after the null one, in table order (so index i+1 of the table is
 * element i), with its version as binutils names it (`_bfd_elf_get_symbol_version_string`
 * with `base_p`): index 1 of a file whose first definition is the base one is `Base`;
 * undefined symbols and references to other objects' versions count as hidden.
 */
export function readElfDynamicSymbols(bytes: Uint8Array, sections: readonly ElfSection[]): ElfDynamicSymbol[] {
  const dynsymIndex = sections.findIndex((s) => s.type === SHT_DYNSYM);
  const dynsym = sections[dynsymIndex];
  if (!dynsym) return [];
  const strtab = sections[dynsym.link];
  if (!strtab) return [];
  const v = view(bytes);
  const versym = sections.find((s) => s.type === SHT_GNU_VERSYM && s.link === dynsymIndex);
  const verdefSec = sections.find((s) => s.type === SHT_GNU_VERDEF);
  const verneedSec = sections.find((s) => s.type === SHT_GNU_VERNEED);
  const verdef = verdefSec && sections[verdefSec.link] ? readVerdef(bytes, verdefSec, sections[verdefSec.link] as ElfSection) : undefined;
  const verneed = verneedSec && sections[verneedSec.link] ? readVerneed(bytes, verneedSec, sections[verneedSec.link] as ElfSection) : undefined;
  const versioned = versym !== undefined && (verdef !== undefined || verneed !== undefined);
  const out: ElfDynamicSymbol[] = [];
  const n = Math.floor(dynsym.size / 24);
  for (let i = 1; i < n; i++) {
    const o = dynsym.offset + i * 24;
    const info = bytes[o + 4] as number;
    const shndx = v.getUint16(o + 6, true);
    let version = '';
    let hidden = false;
    if (versioned) {
      const raw = v.getUint16(versym.offset + i * 2, true);
      const vernum = raw & ~VERSYM_HIDDEN;
      hidden = (raw & VERSYM_HIDDEN) !== 0;
      const defs = verdef?.count ?? 0;
      if (vernum === 0) version = '';
      else if (vernum === 1 && (vernum > defs || verdef?.baseFlags === VER_FLG_BASE)) version = 'Base';
      else if (vernum <= defs) version = verdef?.names.get(vernum) ?? '';
      else {
        version = '<corrupt>';
        const name = verneed?.get(vernum);
        if (name !== undefined) {
          version = name;
          hidden = true;
        }
      }
    }
    if (shndx === 0) hidden = true;
    out.push({
      name: cstring(bytes, strtab.offset + v.getUint32(o, true)),
      type: info & 15,
      bind: info >> 4,
      shndx,
      value: u64(v, o + 8),
      size: u64(v, o + 16),
      version,
      hidden,
    });
  }
  return out;
}

/** The relocations of every SHT_RELA section linked to `.dynsym`, in file order. */
export function readElfDynamicRelocs(bytes: Uint8Array, sections: readonly ElfSection[]): ElfDynamicReloc[] {
  const dynsymIndex = sections.findIndex((s) => s.type === SHT_DYNSYM);
  if (dynsymIndex < 0) return [];
  const v = view(bytes);
  const out: ElfDynamicReloc[] = [];
  for (const sec of sections) {
    if (sec.type !== SHT_RELA || sec.link !== dynsymIndex) continue;
    const n = Math.floor(sec.size / 24);
    for (let i = 0; i < n; i++) {
      const o = sec.offset + i * 24;
      if (o + 24 > bytes.length) break;
      out.push({
        offset: u64(v, o),
        type: v.getUint32(o + 8, true),
        symbol: v.getUint32(o + 12, true),
        addend: v.getBigInt64(o + 16, true),
      });
    }
  }
  return out;
}
