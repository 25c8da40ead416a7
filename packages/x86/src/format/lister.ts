import { Decoder } from '../decoder.js';
import { SHF_EXECINSTR, readElfSections } from '../elf-sections.js';
import { DecodeStatus, Instruction } from '../instruction.js';
import { formatAtt } from './att.js';
import { formatIntel } from './intel.js';
import { makeSymbolizer } from './symbols.js';

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

/** One line of a listing: where the bytes are and how objdump shows them. */
export interface ListEntry {
  /** The section's name, e.g. `.text`. */
  readonly section: string;
  readonly address: number;
  /** Bytes the line covers: the instruction's length, or 1 for `(bad)` and a cut instruction's first byte. */
  readonly length: number;
  /** What objdump prints after the address: the instruction, `(bad)`, or the lone byte. */
  readonly text: string;
  /** The decoder's verdict: `ok`, `invalid` (`(bad)`) or `truncated` (cut by the section end or the stop address). */
  readonly status: 'ok' | 'invalid' | 'truncated';
}

/**
 * The listing of an ELF file's executable sections as entries, in address order, each with
 * the text `listElf` prints for it: for tools that want the instructions rather than lines.
 */
export function listElfEntries(bytes: Uint8Array, options?: ListOptions): ListEntry[] {
  const sections = readElfSections(bytes);
  const symbols = makeSymbolizer(bytes, sections);
  // objdump prints `call 401000 <sym>` when it has symbols and `call 0x401000` for a stripped file.
  const bareAddresses = symbols.any;
  const dec = new Decoder();
  const ins = new Instruction();
  const entries: ListEntry[] = [];
  const format = options?.syntax === 'intel' ? formatIntel : formatAtt;
  const start = options?.start ?? Number.NEGATIVE_INFINITY;
  const stop = options?.stop ?? Number.POSITIVE_INFINITY;
  for (let si = 0; si < sections.length; si++) {
    const sec = sections[si] as (typeof sections)[number];
    const sectionSymbolize = (a: number): string | undefined => symbols.lookup(a, si);
    if (sec.type !== 1 || (sec.flags & SHF_EXECINSTR) === 0) continue;
    if (options?.sections && !options.sections.includes(sec.name)) continue;
    let off = Math.max(0, start - sec.addr);
    const end = Math.min(sec.size, stop - sec.addr);
    while (off < end) {
      const address = sec.addr + off;
      // objdump reads no byte at or past the stop address (nor past the section's end).
      const st = dec.decode(bytes, sec.offset + off, end - off, address, ins);
      if (st === DecodeStatus.Ok) {
        const text = format(ins, { bareAddresses, symbolize: sectionSymbolize });
        entries.push({ section: sec.name, address, length: ins.length, text, status: 'ok' });
        off += ins.length;
      } else if (st === DecodeStatus.NeedMoreBytes) {
        // A truncated instruction: objdump prints its first byte (by name when it is a prefix) and goes on with the next one.
        const text = loneByte(bytes[sec.offset + off] as number);
        entries.push({ section: sec.name, address, length: 1, text, status: 'truncated' });
        off += 1;
      } else {
        entries.push({ section: sec.name, address, length: 1, text: '(bad)', status: 'invalid' });
        off += 1;
      }
    }
  }
  return entries;
}

/**
 * objdump -d style listing of an ELF file's executable sections: one `  addr:\tTEXT` line
 * per instruction (no raw bytes, no headers), comparable with
 * `objdump -d --no-show-raw-insn` (`-M intel` with `syntax: 'intel'`; `-j`, `--start-address`,
 * `--stop-address` with `sections`, `start`, `stop`) after dropping its non-instruction lines.
 */
export function listElf(bytes: Uint8Array, options?: ListOptions): string[] {
  return listElfEntries(bytes, options).map((e) => `  ${e.address.toString(16)}:\t${e.text}`);
}
