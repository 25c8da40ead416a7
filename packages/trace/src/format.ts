// Constants of the binary trace format (FORMAT.md describes it byte by byte).

/** "LGSTRACE" in ASCII. */
export const MAGIC: Uint8Array = new Uint8Array([0x4c, 0x47, 0x53, 0x54, 0x52, 0x41, 0x43, 0x45]);
export const FORMAT_MAJOR = 1;
export const FORMAT_MINOR = 1;

/** Size of the fixed preamble: magic, major, minor, header length. */
export const PREAMBLE_SIZE = 16;

/** Record types below 16 are format records; 16 and up are events (schema.ts). */
export const RECORD_STRING = 1;
export const RECORD_END = 2;

/** Largest record payload a reader accepts (a corrupt length must not make it buffer forever). */
export const MAX_RECORD_PAYLOAD: number = 1 << 24;
/** Largest header a reader accepts. */
export const MAX_HEADER_SIZE: number = 1 << 20;

/** The file header: a JSON object describing the run. All fields optional; unknown ones are kept. */
export interface TraceHeader {
  /** Who wrote the trace, e.g. "legosim 0.1.0". */
  producer?: string;
  /** Program and arguments that ran. */
  program?: string;
  argv?: string[];
  /** Seed of the guest's random generator. */
  seed?: number;
  /** Machine description, e.g. { cpus: 1, memory: "512M", timerHz: 100 }. */
  machine?: Record<string, unknown>;
  /** Run options, e.g. { legoTableOnly: false }. */
  options?: Record<string, unknown>;
  [key: string]: unknown;
}
