export type { EventDef, EventName, FieldDef, FieldKind, PtRegsField } from './schema.js';
export { EVENT_SCHEMA, EVENTS_BY_ID, EVENTS_BY_NAME, PT_REGS_FIELDS } from './schema.js';
export type { Hex, PtRegsHex, SinkArgs, TraceEvent, TraceEventOf, U64In, U64Words } from './types.js';
export { hexOf, hexOfHalves, hiOf, loOf, u64FromHalves, u64FromText, u64Words } from './u64.js';
export type { TraceFormatProblem } from './errors.js';
export { TraceFormatError } from './errors.js';
export type { TraceHeader } from './format.js';
export { FORMAT_MAJOR, FORMAT_MINOR, MAGIC } from './format.js';
export type { TraceSink } from './sink.js';
export { SchemaSink } from './sink.js';
export { MemorySink } from './memory-sink.js';
export { JsonlSink } from './jsonl-sink.js';
export { TeeSink } from './tee-sink.js';
export type { BinaryTraceWriterOptions } from './binary-writer.js';
export { BinaryTraceWriter, encodeTrace } from './binary-writer.js';
export type {
  DecodedTrace,
  TraceReaderOptions,
  TraceRecordsResult,
  TraceStreamOptions,
  TraceVersion,
} from './reader.js';
export { TraceReader, forEachTraceRecord, readTrace, readTraceStream } from './reader.js';
export { TraceRecord, bytesHex, fieldIndex } from './record.js';
export { toJsonl } from './jsonl.js';
export type { CtfExportOptions, CtfFile, CtfOpenFile } from './export/ctf.js';
export { CTF_CLOCK_NAME, CTF_MAGIC, CtfExporter, ctfMetadata, exportCtf } from './export/ctf.js';
export type { ChromeEvent, ChromeExportOptions } from './export/chrome.js';
export {
  CHROME_CPU_PID,
  CHROME_CPU_TID_BASE,
  ChromeTraceExporter,
  chromeMicros,
  exportChrome,
} from './export/chrome.js';
export { summarizeTrace, TraceSummary } from './export/summary.js';
export type { StraceExportOptions } from './export/strace.js';
export { StraceExporter, exportStrace } from './export/strace.js';
export type { TextExportOptions } from './export/text.js';
export { TextExporter, exportText, formatTextEvent } from './export/text.js';
