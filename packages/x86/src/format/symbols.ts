/**
 * How objdump names an address in `<sym+0x10>` (binutils' objdump.c: `disassemble_data`,
 * `compare_symbols`, `find_symbol_for_address`, `objdump_print_addr_with_sym`): the symbols it
 * sorts, the one it picks, and the text it prints.
 */
import { Decoder } from '../decoder.js';
import { type ElfDynamicReloc, type ElfDynamicSymbol, readElfDynamicRelocs, readElfDynamicSymbols } from '../elf-dynamic.js';
import { type ElfSection, type ElfSymbol, readElfSymbols } from '../elf-sections.js';
import { DecodeStatus, Instruction } from '../instruction.js';
import { Mnemonic } from '../generated/mnemonic.generated.js';
import { Register } from '../register.js';

/** A symbol as objdump's sorted table holds it. */
interface LabelSymbol {
  /** The name objdump sorts by (no version). */
  readonly name: string;
  /** The name objdump prints: with `@@VERSION` / `@VERSION` for versioned dynamic symbols. */
  readonly label: string;
  readonly value: number;
  /** st_size; 0 for synthetic symbols, which compare_symbols treats as sizeless. */
  readonly size: number;
  readonly type: number;
  readonly bind: number;
  /** Section index; a synthetic `@plt` symbol belongs to its PLT section. */
  readonly shndx: number;
  /** A `name@plt` symbol made from a PLT entry (BSF_SYNTHETIC). */
  readonly synthetic: boolean;
  /** SHN_UNDEF: printed without an offset (it has no value in a linked file). */
  readonly undefined: boolean;
}

const SHN_UNDEF = 0;
const SHN_ABS = 0xfff1;
const SHN_COMMON = 0xfff2;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_SECTION = 3;
const STT_FILE = 4;
const STT_COMMON = 5;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
// The relocations whose GOT slot a PLT entry jumps through (_bfd_x86_elf_get_synthetic_symtab).
const R_X86_64_GLOB_DAT = 6;
const R_X86_64_JUMP_SLOT = 7;
const R_X86_64_TLSDESC = 36;
const R_X86_64_IRELATIVE = 37;

function labelOf(s: ElfSymbol | ElfDynamicSymbol): string {
  const d = s as Partial<ElfDynamicSymbol>;
  return d.version ? `${s.name}${d.hidden ? '@' : '@@'}${d.version}` : s.name;
}

function fromElf(s: ElfSymbol | ElfDynamicSymbol): LabelSymbol {
  return { name: s.name, label: labelOf(s), value: s.value, size: s.size, type: s.type, bind: s.bind, shndx: s.shndx, synthetic: false, undefined: s.shndx === SHN_UNDEF };
}

/**
 * objdump's order for symbols at the same address (compare_symbols): symbols of the section
 * being disassembled first, file-name-like symbols last, then functions, then objects, then
 * non-local, then global over weak, then the larger size, then names not starting with '.',
 * then by name.
 */
function compareSymbols(a: LabelSymbol, b: LabelSymbol, section: number): number {
  const as = a.shndx === section ? 0 : 1;
  const bs = b.shndx === section ? 0 : 1;
  if (as !== bs) return as - bs;
  const fileLike = (s: LabelSymbol): number => (/.\.[oa]$/.test(s.name) ? 1 : 0);
  if (fileLike(a) !== fileLike(b)) return fileLike(a) - fileLike(b);
  const af = a.type === STT_FUNC ? 0 : 1;
  const bf = b.type === STT_FUNC ? 0 : 1;
  if (af !== bf) return af - bf;
  const isObject = (s: LabelSymbol): number => (s.type === STT_OBJECT || s.type === STT_COMMON ? 0 : 1);
  if (isObject(a) !== isObject(b)) return isObject(a) - isObject(b);
  const al = a.bind === STB_LOCAL ? 1 : 0;
  const bl = b.bind === STB_LOCAL ? 1 : 0;
  if (al !== bl) return al - bl;
  const ag = a.bind === STB_GLOBAL ? 0 : 1;
  const bg = b.bind === STB_GLOBAL ? 0 : 1;
  if (ag !== bg) return ag - bg;
  if (a.size !== b.size) return a.size > b.size ? -1 : 1;
  const ad = a.name.startsWith('.') ? 1 : 0;
  const bd = b.name.startsWith('.') ? 1 : 0;
  if (ad !== bd) return ad - bd;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** objdump's remove_useless_symbols: no unnamed, section, file (debugging), undefined or common symbols. */
function useful(s: LabelSymbol): boolean {
  return s.name !== '' && s.type !== STT_SECTION && s.type !== STT_FILE && s.shndx !== SHN_UNDEF && s.shndx !== SHN_COMMON;
}

/**
 * The `name@plt` symbols binutils makes for PLT entries (`_bfd_x86_elf_get_synthetic_symtab`):
 * each entry's `jmp *GOT(%rip)` slot is matched with the dynamic relocation that fills it.
 * With a second PLT (`.plt.sec`, IBT) the names go on its entries and the lazy `.plt` gets none;
 * otherwise the lazy `.plt`'s first entry (PLT0, the resolver trampoline) gets none.
 */
function pltSymbols(bytes: Uint8Array, sections: readonly ElfSection[], relocs: readonly ElfDynamicReloc[], dynsyms: readonly ElfDynamicSymbol[]): LabelSymbol[] {
  const slot = new Map<number, ElfDynamicReloc>();
  for (const r of relocs) {
    if (r.type !== R_X86_64_JUMP_SLOT && r.type !== R_X86_64_GLOB_DAT && r.type !== R_X86_64_IRELATIVE && r.type !== R_X86_64_TLSDESC) continue;
    if (!slot.has(r.offset)) slot.set(r.offset, r);
  }
  if (slot.size === 0) return [];
  const hasSecond = sections.some((s) => (s.name === '.plt.sec' || s.name === '.plt.bnd') && s.size > 0);
  const dec = new Decoder();
  const ins = new Instruction();
  const out: LabelSymbol[] = [];
  for (const name of ['.plt', '.plt.sec', '.plt.bnd', '.plt.got']) {
    const shndx = sections.findIndex((s) => s.name === name);
    const sec = sections[shndx];
    if (!sec || sec.size === 0 || sec.type !== 1) continue;
    if (name === '.plt' && hasSecond) continue;
    const entry = sec.entsize > 0 ? sec.entsize : 16;
    for (let at = name === '.plt' ? entry : 0; at + entry <= sec.size; at += entry) {
      // The GOT slot: the entry's first `jmp *disp(%rip)` (after endbr64 / bnd where present).
      let got: number | undefined;
      for (let off = at; off < at + entry;) {
        const st = dec.decode(bytes, sec.offset + off, at + entry - off, sec.addr + off, ins);
        if (st !== DecodeStatus.Ok) break;
        if (ins.mnemonic === Mnemonic.Jmp && ins.memBase === Register.RIP) {
          got = ins.nextIp + ins.memDisp;
          break;
        }
        off += ins.length;
      }
      const r = got === undefined ? undefined : slot.get(got);
      if (r === undefined) continue;
      // Each relocation names one entry only (binutils clears it once used).
      slot.delete(r.offset);
      const target = r.symbol === 0 ? undefined : dynsyms[r.symbol - 1];
      const base = target?.name ?? '*ABS*';
      const addend = r.addend === 0n ? '' : `+0x${BigInt.asUintN(64, r.addend).toString(16)}`;
      const label = `${base}${addend}@plt`;
      out.push({
        name: label, label, value: sec.addr + at, size: 0,
        type: target?.type ?? 0, bind: target?.bind === STB_LOCAL ? STB_LOCAL : STB_GLOBAL,
        shndx, synthetic: true, undefined: false,
      });
    }
  }
  return out;
}

export interface Symbolizer {
  /** objdump had symbols to sort: it prints `call 401000 <sym>`; without, `call 0x401000`. */
  readonly any: boolean;
  /** The text inside `<...>` for `address`, seen from the section with index `section`. */
  lookup(address: number, section: number): string | undefined;
}

/**
 * objdump's symbol table for disassembly: `.symtab` when the file has one, else `.dynsym`,
 * less the useless symbols, plus the synthetic `@plt` symbols; and the dynamic relocations
 * it consults when no symbol of the current section sits exactly at an address.
 */
export function makeSymbolizer(bytes: Uint8Array, sections: readonly ElfSection[]): Symbolizer {
  const symtab = readElfSymbols(bytes, sections);
  const dynsyms = readElfDynamicSymbols(bytes, sections);
  const relocs = readElfDynamicRelocs(bytes, sections);
  const base = (symtab.length > 0 ? symtab : dynsyms).map(fromElf).filter(useful);
  const syms = [...base, ...pltSymbols(bytes, sections, relocs, dynsyms)].sort((a, b) => a.value - b.value);
  // A relocated address names the relocation's symbol; R_X86_64_RELATIVE and friends (no symbol) name nothing.
  const relocSymbol = new Map<number, LabelSymbol>();
  for (const r of [...relocs].sort((a, b) => a.offset - b.offset)) {
    const s = r.symbol === 0 ? undefined : dynsyms[r.symbol - 1];
    if (s === undefined || s.shndx === SHN_ABS || relocSymbol.has(r.offset)) continue;
    relocSymbol.set(r.offset, fromElf(s));
  }
  const sectionAddr = (shndx: number): number => (shndx < sections.length ? (sections[shndx]?.addr ?? 0) : 0);
  const print = (s: LabelSymbol, a: number): string => {
    if (a < 0) return `${s.label}+0x${(BigInt(a) + (1n << 64n) - BigInt(s.value)).toString(16)}`;
    if (a === s.value || s.undefined) return s.label;
    return a < s.value ? `${s.label}-0x${(s.value - a).toString(16)}` : `${s.label}+0x${(a - s.value).toString(16)}`;
  };
  const lookup = (a: number, section: number): string | undefined => {
    if (syms.length === 0) return undefined;
    // objdump compares addresses as unsigned 64-bit values: a negative (upper-half) address lies above every symbol.
    const upper = a < 0;
    let lo = 0;
    let hi = syms.length - 1;
    let best = upper ? hi : -1;
    while (!upper && lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((syms[mid] as LabelSymbol).value <= a) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) best = 0;
    // Among symbols at one address objdump takes the first in its sort order; one of the
    // current section, when there is one, ends the search there. Full ties (one name under
    // two versions) keep table order: objdump's qsort is glibc's stable merge sort.
    const v = (syms[best] as LabelSymbol).value;
    let pick = best;
    for (let i = best - 1; i >= 0 && (syms[i] as LabelSymbol).value === v; i--) {
      if (compareSymbols(syms[i] as LabelSymbol, syms[pick] as LabelSymbol, section) <= 0) pick = i;
    }
    const s = syms[pick] as LabelSymbol;
    // binutils tests `sym->value != vma`, and a linked file's `value` is relative to the
    // symbol's section: so even an exact match outside the current section defers to a
    // relocation at that address (`_IO_list_all` prints as `<_IO_2_1_stderr_-0x20>`, the
    // symbol its R_X86_64_64 names).
    if (s.shndx !== section && s.value - sectionAddr(s.shndx) !== a && !s.synthetic) {
      const r = relocSymbol.get(a);
      if (r !== undefined) return print(r, a);
    }
    return print(s, a);
  };
  return { any: syms.length > 0, lookup };
}
