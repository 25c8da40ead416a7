import { Decoder } from '../decoder.js';
import { type ElfSymbol, SHF_EXECINSTR, readElfSections, readElfSymbols } from '../elf-sections.js';
import { DecodeStatus, Instruction } from '../instruction.js';
import { formatAtt } from './att.js';
import { formatIntel } from './intel.js';

export interface ListOptions {
  /** `att` (default, like `objdump -d`) or `intel` (like `objdump -d -M intel`). */
  readonly syntax?: 'att' | 'intel';
  /** Only these sections (by name); default: every executable PROGBITS section. */
  readonly sections?: readonly string[];
  /** First address to disassemble, like objdump's `--start-address` (decoding starts exactly there). */
  readonly start?: number;
  /** Stop before this address, like objdump's `--stop-address`: no byte at or past it is read (a cut instruction lists as `.byte`). */
  readonly stop?: number;
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
    // objdump compares addresses as unsigned 64-bit values: a negative (upper-half) address lies above every symbol.
    const upper = a < 0;
    let lo = 0;
    let hi = syms.length - 1;
    let best = upper ? hi : -1;
    while (!upper && lo <= hi) {
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
    if (upper) return `${s.name}+0x${(BigInt(a) + (1n << 64n) - BigInt(s.value)).toString(16)}`;
    if (a < s.value) return `${s.name}-0x${(s.value - a).toString(16)}`;
    return a === s.value ? s.name : `${s.name}+0x${(a - s.value).toString(16)}`;
  };
}

const PREFIX_NAMES: Record<number, string> = {
  0x66: 'data16', 0x67: 'addr32', 0xf0: 'lock', 0xf2: 'repnz', 0xf3: 'repz',
  0x2e: 'cs', 0x36: 'ss', 0x3e: 'ds', 0x26: 'es', 0x64: 'fs', 0x65: 'gs',
};

/** How objdump lists the first byte of an instruction cut short by the stop address or the section end. */
function loneByte(b: number): string {
  const name = PREFIX_NAMES[b];
  if (name !== undefined) return name;
  if (b === 0x40) return 'rex';
  if (b > 0x40 && b <= 0x4f) return `rex.${b & 8 ? 'W' : ''}${b & 4 ? 'R' : ''}${b & 2 ? 'X' : ''}${b & 1 ? 'B' : ''}`;
  return `.byte 0x${b.toString(16)}`;
}

/**
 * objdump -d style listing of an ELF file's executable sections: one `  addr:\tTEXT` line
 * per instruction (no raw bytes, no headers), comparable with
 * `objdump -d --no-show-raw-insn` (`-M intel` with `syntax: 'intel'`; `-j`, `--start-address`,
 * `--stop-address` with `sections`, `start`, `stop`) after dropping its non-instruction lines.
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
  const format = options?.syntax === 'intel' ? formatIntel : formatAtt;
  const start = options?.start ?? Number.NEGATIVE_INFINITY;
  const stop = options?.stop ?? Number.POSITIVE_INFINITY;
  for (let si = 0; si < sections.length; si++) {
    const sec = sections[si] as (typeof sections)[number];
    const sectionSymbolize = (a: number): string | undefined => symbolize(a, si);
    if (sec.type !== 1 || (sec.flags & SHF_EXECINSTR) === 0) continue;
    if (options?.sections && !options.sections.includes(sec.name)) continue;
    let off = Math.max(0, start - sec.addr);
    const end = Math.min(sec.size, stop - sec.addr);
    while (off < end) {
      const addr = sec.addr + off;
      // objdump reads no byte at or past the stop address (nor past the section's end).
      const st = dec.decode(bytes, sec.offset + off, end - off, addr, ins);
      if (st === DecodeStatus.Ok) {
        lines.push(`  ${addr.toString(16)}:\t${format(ins, { bareAddresses, symbolize: sectionSymbolize })}`);
        off += ins.length;
      } else if (st === DecodeStatus.NeedMoreBytes) {
        // A truncated instruction: objdump prints its first byte (by name when it is a prefix) and goes on with the next one.
        lines.push(`  ${addr.toString(16)}:\t${loneByte(bytes[sec.offset + off] as number)}`);
        off += 1;
      } else {
        lines.push(`  ${addr.toString(16)}:\t(bad)`);
        off += 1;
      }
    }
  }
  return lines;
}
