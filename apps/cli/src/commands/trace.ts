import {
  ChromeTraceExporter,
  CtfExporter,
  forEachTraceRecord,
  StraceExporter,
  TextExporter,
  TraceFormatError,
  type TraceHeader,
  type TraceRecord,
  TraceSummary,
  toJsonl,
} from '@legosim/trace';
import { helpTable, type OptionSpec, parseArgs } from '../args.js';
import { type CliIo, UsageError } from '../io.js';

const FORMATS = ['jsonl', 'text', 'strace', 'summary', 'chrome', 'ctf'] as const;
type Format = (typeof FORMATS)[number];

const OPTIONS: Record<string, OptionSpec> = {
  format: { value: 'FORMAT', help: `output format: ${FORMATS.join(', ')} (default jsonl)` },
  o: { value: 'OUT', help: 'write to OUT instead of stdout (for ctf: the output directory, required)' },
  help: { help: 'show this help' },
};

export const TRACE_HELP: string = `usage: legosim trace FILE [--format jsonl|text|strace|summary|chrome|ctf] [-o OUT]

Reads a trace recorded by \`legosim run --trace FILE\` and exports it:
  jsonl    one JSON object per event; 64-bit values are lowercase 0x hex strings
  text     one readable line per event (time in µs, CPU, task, type, fields)
  strace   what \`legosim run --strace\` printed during the run
  summary  an \`strace -c\` style table: calls, errors and simulated time per syscall,
           then counts of interrupts, exceptions, page faults, TLB flushes, switches
  chrome   Chrome Trace Event Format JSON (open it in ui.perfetto.dev or chrome://tracing):
           a track per CPU and per task, syscalls and interrupts as slices
  ctf      a CTF 1.8 trace directory (metadata + one stream file per CPU) for
           babeltrace2 and Trace Compass; needs -o DIR

options:
${helpTable(OPTIONS)}
`;

type Output = { write(chunk: string | Uint8Array): void; close(): void };

/** The host's directory creation, when it has one (Node); the CliIo interface has none. */
async function makeDirectory(io: CliIo, path: string): Promise<void> {
  const withMkdir = io as CliIo & { mkdir?: (path: string) => void };
  if (withMkdir.mkdir) {
    withMkdir.mkdir(path);
    return;
  }
  try {
    const fs = await import('node:fs');
    fs.mkdirSync(path, { recursive: true });
  } catch {
    // no file system here, or it failed: creating the files below reports the problem
  }
}

function openFile(io: CliIo, path: string): Output {
  try {
    return io.createFile(path);
  } catch {
    throw new UsageError(`cannot create ${path}`);
  }
}

/**
 * The trace file in 1 MiB pieces (`CliIo.readChunks`), so memory stays bounded however long
 * the trace: the reader holds at most one partial record beside the current chunk. Host
 * errors, at the open or while reading, become `cannot read FILE`.
 */
function openChunks(io: CliIo, file: string): Iterable<Uint8Array> {
  let iterator: Iterator<Uint8Array>;
  try {
    iterator = io.readChunks(file)[Symbol.iterator]();
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  return {
    [Symbol.iterator]: () => ({
      next: () => {
        try {
          return iterator.next();
        } catch {
          throw new UsageError(`cannot read ${file}`);
        }
      },
      return: (value?: unknown) => {
        iterator.return?.();
        return { done: true, value: value as Uint8Array };
      },
    }),
  };
}

export async function traceCommand(io: CliIo, argv: readonly string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, false);
  if (options.has('help')) {
    io.write(1, TRACE_HELP);
    return 0;
  }
  const [file, extra] = positionals;
  if (file === undefined)
    throw new UsageError('legosim trace: missing FILE (usage: legosim trace FILE [--format jsonl])');
  if (extra !== undefined) throw new UsageError(`legosim trace: unexpected argument ${extra}`);
  const format = ((options.get('format') as string | undefined) ?? 'jsonl') as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`legosim trace: unknown format ${format} (formats: ${FORMATS.join(', ')})`);
  }
  const outPath = options.get('o');
  if (format === 'ctf' && typeof outPath !== 'string') {
    throw new UsageError('legosim trace: --format ctf writes a directory: give it with -o DIR');
  }
  // Opened now (an unreadable FILE is reported before any output exists), read as records:
  // every field decoded into one reused record per event, bounded memory however long.
  const chunks = openChunks(io, file);
  let header: TraceHeader | undefined;
  const read = (visit: (r: TraceRecord) => void) =>
    forEachTraceRecord(chunks, visit, {
      onHeader: (h) => {
        header = h;
      },
    });

  if (format === 'ctf') {
    const dir = outPath as string;
    await makeDirectory(io, dir);
    const opened: Output[] = [];
    const exporter = new CtfExporter(
      (name) => {
        const f = openFile(io, `${dir}/${name}`);
        opened.push(f);
        return f;
      },
      { header: () => header },
    );
    try {
      await read((r) => exporter.record(r));
      exporter.end();
    } catch (e) {
      for (const f of opened) {
        try {
          f.close();
        } catch {
          // already closed
        }
      }
      if (e instanceof TraceFormatError) throw new UsageError(`${file}: ${e.message}`);
      throw e;
    }
    return 0;
  }

  const out: Output =
    typeof outPath === 'string' ? openFile(io, outPath) : { write: (s) => io.write(1, s), close: () => {} };
  try {
    if (format === 'jsonl') {
      let batch = '';
      await read((r) => {
        batch += `${toJsonl(r.toEvent())}\n`;
        if (batch.length > 65536) {
          out.write(batch);
          batch = '';
        }
      });
      out.write(batch);
    } else if (format === 'summary') {
      const summary = new TraceSummary();
      await read((r) => summary.addRecord(r));
      out.write(summary.format());
    } else if (format === 'strace' || format === 'text') {
      const exporter = format === 'strace' ? new StraceExporter((text) => out.write(text)) : new TextExporter((text) => out.write(text));
      await read((r) => exporter.record(r));
      exporter.end();
    } else {
      const exporter = new ChromeTraceExporter((text) => out.write(text), { header: () => header });
      await read((r) => exporter.record(r));
      exporter.end();
    }
  } catch (e) {
    if (e instanceof TraceFormatError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  } finally {
    out.close();
  }
  return 0;
}
