import { DecodeStatus, Decoder, Instruction, readElfSections } from '@legosim/x86';
import { formatAtt, formatIntel, listElfEntries } from '@legosim/x86/format';
import { helpTable, type OptionSpec, parseArgs } from '../args.js';
import { type CliIo, UsageError } from '../io.js';

const OPTIONS: Record<string, OptionSpec> = {
  hex: { value: 'BYTES', help: 'decode these hex bytes instead of a file, e.g. "0f 05"' },
  syntax: { value: 'att|intel', help: 'output syntax: att (default, objdump -d) or intel (objdump -d -M intel)' },
  section: { value: 'NAME', repeat: true, help: 'only this section, e.g. .text (repeatable; objdump -j)' },
  start: { value: 'ADDR', help: 'start at this address, hex with 0x or decimal (objdump --start-address)' },
  stop: { value: 'ADDR', help: 'stop before this address (objdump --stop-address)' },
  json: { help: 'one JSON object per instruction: section, address, bytes, text, status (for scripts)' },
  help: { help: 'show this help' },
};

export const DISASM_HELP: string = `usage: legosim disasm [--syntax att|intel] [--section NAME]... [--start ADDR] [--stop ADDR] FILE
       legosim disasm [--syntax att|intel] --hex BYTES

Disassembles the executable sections of an ELF file the way \`objdump -d\` prints them
(\`objdump -d -M intel\` with --syntax intel), or decodes a string of hex bytes. With
--json, each instruction is a JSON line instead:
  {"section":".text","address":"0x401000","bytes":"f30f1efa","text":"endbr64","status":"ok"}
(status is ok, invalid for objdump's (bad), or truncated for an instruction cut short).

options:
${helpTable(OPTIONS)}
`;

/** `--start`/`--stop`: hex with 0x, or decimal. */
function addressOption(value: string | true | string[] | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError(`option --${name} needs a value: --${name} ADDR`);
  const v = value.trim();
  const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v.slice(2), 16) : /^[0-9]+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`option --${name}: '${value}' is not an address (hex with 0x, or decimal)`);
  return n;
}

export function disasmCommand(io: CliIo, argv: readonly string[]): number {
  const { options, positionals } = parseArgs(argv, OPTIONS, false);
  if (options.has('help')) {
    io.write(1, DISASM_HELP);
    return 0;
  }
  const syntax = options.get('syntax') ?? 'att';
  if (syntax !== 'att' && syntax !== 'intel') throw new UsageError(`option --syntax: '${String(syntax)}' is not att or intel`);
  const format = syntax === 'intel' ? formatIntel : formatAtt;
  const sections = options.get('section') as string[] | undefined;
  const start = addressOption(options.get('start'), 'start');
  const stop = addressOption(options.get('stop'), 'stop');
  if (start !== undefined && stop !== undefined && start >= stop) {
    throw new UsageError(`--start 0x${start.toString(16)} is not below --stop 0x${stop.toString(16)}`);
  }
  const hex = options.get('hex');
  if (typeof hex === 'string') {
    if (sections !== undefined || start !== undefined || stop !== undefined) {
      throw new UsageError('--section, --start and --stop apply to a FILE, not to --hex');
    }
    const clean = hex.replace(/0x/gi, '').replace(/[\s,]+/g, '');
    if (!/^([0-9a-f]{2})+$/i.test(clean)) throw new UsageError(`--hex: '${hex}' is not a sequence of hex bytes`);
    const bytes = new Uint8Array(clean.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
    const decoder = new Decoder();
    const ins = new Instruction();
    const json = options.has('json');
    let off = 0;
    while (off < bytes.length) {
      const status = decoder.decode(bytes, off, bytes.length - off, off, ins);
      if (json) {
        const len = status === DecodeStatus.Ok ? ins.length : status === DecodeStatus.NeedMoreBytes ? bytes.length - off : 1;
        const text = status === DecodeStatus.Ok ? format(ins) : '(bad)';
        const verdict = status === DecodeStatus.Ok ? 'ok' : status === DecodeStatus.NeedMoreBytes ? 'truncated' : 'invalid';
        io.write(1, `${JSON.stringify({ address: `0x${off.toString(16)}`, bytes: hexString(bytes, off, len), text, status: verdict })}\n`);
        off += len;
        continue;
      }
      if (status === DecodeStatus.NeedMoreBytes) {
        io.write(1, `${off.toString(16).padStart(4)}:\t${hexBytes(bytes, off, bytes.length - off)}\t(bad: incomplete instruction)\n`);
        break;
      }
      const len = status === DecodeStatus.Ok ? ins.length : 1;
      io.write(1, `${off.toString(16).padStart(4)}:\t${hexBytes(bytes, off, len)}\t${status === DecodeStatus.Ok ? format(ins) : '(bad)'}\n`);
      off += len;
    }
    return 0;
  }
  const [file] = positionals;
  if (file === undefined) throw new UsageError('legosim disasm: missing FILE or --hex BYTES');
  let bytes: Uint8Array;
  try {
    bytes = io.readFile(file);
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  let entries: ReturnType<typeof listElfEntries>;
  let elfSections: ReturnType<typeof readElfSections>;
  try {
    elfSections = readElfSections(bytes);
    if (sections !== undefined) {
      const names = new Set(elfSections.map((s) => s.name));
      const missing = sections.find((n) => !names.has(n));
      if (missing !== undefined) throw new Error(`no section named '${missing}'`);
    }
    entries = listElfEntries(bytes, { syntax, sections, start, stop });
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  if (options.has('json')) {
    const fileOffset = new Map(elfSections.map((s) => [s.name, s.offset - s.addr]));
    const out: string[] = [];
    for (const e of entries) {
      const at = e.address + fileOffset.get(e.section)!;
      out.push(JSON.stringify({ section: e.section, address: `0x${e.address.toString(16)}`, bytes: hexString(bytes, at, e.length), text: e.text, status: e.status }));
      if (out.length === 4096) io.write(1, `${out.splice(0).join('\n')}\n`);
    }
    if (out.length > 0) io.write(1, `${out.join('\n')}\n`);
    return 0;
  }
  const lines = entries.map((e) => `  ${e.address.toString(16)}:\t${e.text}`);
  io.write(1, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return 0;
}

function hexString(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

function hexBytes(b: Uint8Array, off: number, len: number): string {
  return Array.from(b.subarray(off, off + len), (x) => x.toString(16).padStart(2, '0')).join(' ');
}
