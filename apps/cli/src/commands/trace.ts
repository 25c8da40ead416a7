import { readTraceStream, toJsonl, TraceFormatError } from '@legosim/trace';
import { helpTable, type OptionSpec, parseArgs } from '../args.js';
import { type CliIo, UsageError } from '../io.js';

const OPTIONS: Record<string, OptionSpec> = {
  format: { value: 'FORMAT', help: 'output format: jsonl (default)' },
  o: { value: 'OUT', help: 'write to OUT instead of stdout' },
  help: { help: 'show this help' },
};

export const TRACE_HELP: string = `usage: legosim trace FILE [--format jsonl] [-o OUT]

Reads a trace recorded by \`legosim run --trace FILE\` and exports it. jsonl prints one
JSON object per event; 64-bit values are lowercase 0x hex strings.

options:
${helpTable(OPTIONS)}
`;

export async function traceCommand(io: CliIo, argv: readonly string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, false);
  if (options.has('help')) {
    io.write(1, TRACE_HELP);
    return 0;
  }
  const [file, extra] = positionals;
  if (file === undefined) throw new UsageError('legosim trace: missing FILE (usage: legosim trace FILE [--format jsonl])');
  if (extra !== undefined) throw new UsageError(`legosim trace: unexpected argument ${extra}`);
  const format = (options.get('format') as string | undefined) ?? 'jsonl';
  if (format !== 'jsonl') throw new UsageError(`--format ${format}: this version exports jsonl (strace, summary, chrome and ctf come with the trace work)`);
  let bytes: Uint8Array;
  try {
    bytes = io.readFile(file);
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  const outPath = options.get('o');
  const out = typeof outPath === 'string' ? io.createFile(outPath) : { write: (s: string | Uint8Array) => io.write(1, s), close: () => {} };
  try {
    let batch = '';
    for await (const event of readTraceStream([bytes])) {
      batch += `${toJsonl(event)}\n`;
      if (batch.length > 65536) {
        out.write(batch);
        batch = '';
      }
    }
    out.write(batch);
  } catch (e) {
    if (e instanceof TraceFormatError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  } finally {
    out.close();
  }
  return 0;
}
