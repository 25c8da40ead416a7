import { DecodeStatus, Decoder, Instruction } from '@legosim/x86';
import { formatAtt, listElf } from '@legosim/x86/format';
import { helpTable, type OptionSpec, parseArgs } from '../args.js';
import { type CliIo, UsageError } from '../io.js';

const OPTIONS: Record<string, OptionSpec> = {
  hex: { value: 'BYTES', help: 'decode these hex bytes instead of a file, e.g. "0f 05"' },
  syntax: { value: 'att', help: 'output syntax: att (default; Intel syntax comes with the decoder work)' },
  help: { help: 'show this help' },
};

export const DISASM_HELP: string = `usage: legosim disasm FILE | --hex BYTES

Disassembles the executable sections of an ELF file the way \`objdump -d\` prints them,
or decodes a string of hex bytes.

options:
${helpTable(OPTIONS)}
`;

export function disasmCommand(io: CliIo, argv: readonly string[]): number {
  const { options, positionals } = parseArgs(argv, OPTIONS, false);
  if (options.has('help')) {
    io.write(1, DISASM_HELP);
    return 0;
  }
  const syntax = options.get('syntax');
  if (syntax !== undefined && syntax !== 'att') throw new UsageError(`--syntax ${String(syntax)}: this version prints AT&T syntax`);
  const hex = options.get('hex');
  if (typeof hex === 'string') {
    const clean = hex.replace(/0x/gi, '').replace(/[\s,]+/g, '');
    if (!/^([0-9a-f]{2})+$/i.test(clean)) throw new UsageError(`--hex: '${hex}' is not a sequence of hex bytes`);
    const bytes = new Uint8Array(clean.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
    const decoder = new Decoder();
    const ins = new Instruction();
    let off = 0;
    while (off < bytes.length) {
      const status = decoder.decode(bytes, off, bytes.length - off, off, ins);
      if (status === DecodeStatus.NeedMoreBytes) {
        io.write(1, `${off.toString(16).padStart(4)}:\t${hexBytes(bytes, off, bytes.length - off)}\t(bad: incomplete instruction)\n`);
        break;
      }
      const len = status === DecodeStatus.Ok ? ins.length : 1;
      io.write(1, `${off.toString(16).padStart(4)}:\t${hexBytes(bytes, off, len)}\t${status === DecodeStatus.Ok ? formatAtt(ins) : '(bad)'}\n`);
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
  try {
    for (const line of listElf(bytes)) io.write(1, `${line}\n`);
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  return 0;
}

function hexBytes(b: Uint8Array, off: number, len: number): string {
  return Array.from(b.subarray(off, off + len), (x) => x.toString(16).padStart(2, '0')).join(' ');
}
