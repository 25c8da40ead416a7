import { Decoder } from '../decoder.js';
import { type ElfSymbol, SHF_EXECINSTR, readElfSections, readElfSymbols } from '../elf-sections.js';
import { DecodeStatus, Instruction } from '../instruction.js';
import { formatAtt } from './att.js';

export interface ListOptions {
  /** Only these sections (by name); default: every executable PROGBITS section. */
  readonly sections?: readonly string[];
}

/**
 * objdump's order for symbols at the same address (compare_symbols in binutils' objdump.c):
 * symbols of the section being disassembled first, file-name-like symbols last, then
 * functions, then objects, then non-local, then global over weak, then the larger size,
 * then names not starting with '.', then by name.
 */
function compareSymbols(a: ElfSymbol, b: ElfSymbol, section: number): number {
  const as = a.shndx === section ? 0 : 1;
  const bs = b.shndx === section ? 0 : 1;
  if (as !== bs) return as - bs;
  const fileLike = (s: ElfSymbol): number => (s.type === 4 || /\.[oa]$/.test(s.name) ? 1 : 0);
  if (fileLike(a) !== fileLike(b)) return fileLike(a) - fileLike(b);
  const af = a.type === 2 ? 0 : 1;
  const bf = b.type === 2 ? 0 : 1;
  if (af !== bf) return af - bf;
  const ao = a.type === 1 ? 0 : 1;
  const bo = b.type === 1 ? 0 : 1;
  if (ao !== bo) return ao - bo;
  const al = a.bind === 0 ? 1 : 0;
  const bl = b.bind === 0 ? 1 : 0;
  if (al !== bl) return al - bl;
  const ag = a.bind === 1 ? 0 : 1;
  const bg = b.bind === 1 ? 0 : 1;
  if (ag !== bg) return ag - bg;
  if (a.size !== b.size) return a.size > b.size ? -1 : 1;
  const ad = a.name.startsWith('.') ? 1 : 0;
  const bd = b.name.startsWith('.') ? 1 : 0;
  if (ad !== bd) return ad - bd;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Symbol lookup the way objdump labels addresses: nearest symbol at or below, else the first one with a negative offset. */
function makeSymbolizer(symbols: readonly ElfSymbol[]): (a: number, section: number) => string | undefined {
  // objdump drops section and file symbols and undefined ones; TLS symbols stay (their value is an offset).
  const syms = symbols
    .filter((s) => s.shndx !== 0 && s.name !== '' && (s.type === 0 || s.type === 1 || s.type === 2 || s.type === 6))
    .sort((a, b) => a.value - b.value);
  if (syms.length === 0) return () => undefined;
  return (a, section) => {
    let lo = 0;
    let hi = syms.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((syms[mid] as ElfSymbol).value <= a) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (best < 0) best = 0;
    // Among symbols at one address objdump takes the first in its sort order.
    const v = (syms[best] as ElfSymbol).value;
    let pick = best;
    for (let i = best - 1; i >= 0 && (syms[i] as ElfSymbol).value === v; i--) {
      if (compareSymbols(syms[i] as ElfSymbol, syms[pick] as ElfSymbol, section) < 0) pick = i;
    }
    const s = syms[pick] as ElfSymbol;
    if (a < s.value) return `${s.name}-0x${(s.value - a).toString(16)}`;
    return a === s.value ? s.name : `${s.name}+0x${(a - s.value).toString(16)}`;
  };
}

/**
 * objdump -d style listing of an ELF file's executable sections: one `  addr:\tTEXT` line
 * per instruction (no raw bytes, no headers), comparable with
 * `objdump -d --no-show-raw-insn` after dropping its non-instruction lines.
 */
export function listElf(bytes: Uint8Array, options?: ListOptions): string[] {
  const sections = readElfSections(bytes);
  const symbols = readElfSymbols(bytes, sections);
  const symbolize = makeSymbolizer(symbols);
  // objdump prints `call 401000 <sym>` when it has symbols and `call 0x401000` for a stripped file.
  const bareAddresses = symbols.length > 0;
  const dec = new Decoder();
  const ins = new Instruction();
  const lines: string[] = [];
  for (let si = 0; si < sections.length; si++) {
    const sec = sections[si] as (typeof sections)[number];
    const sectionSymbolize = (a: number): string | undefined => symbolize(a, si);
    if (sec.type !== 1 || (sec.flags & SHF_EXECINSTR) === 0) continue;
    if (options?.sections && !options.sections.includes(sec.name)) continue;
    let off = 0;
    while (off < sec.size) {
      const addr = sec.addr + off;
      const st = dec.decode(bytes, sec.offset + off, sec.size - off, addr, ins);
      if (st === DecodeStatus.Ok) {
        lines.push(`  ${addr.toString(16)}:\t${formatAtt(ins, { bareAddresses, symbolize: sectionSymbolize })}`);
        off += ins.length;
      } else {
        lines.push(`  ${addr.toString(16)}:\t(bad)`);
        off += 1;
      }
    }
  }
  return lines;
}
