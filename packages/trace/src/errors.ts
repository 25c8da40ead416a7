// The one error type readers throw for malformed input.

export type TraceFormatProblem =
  | 'bad-magic'
  | 'unsupported-version'
  | 'bad-header'
  | 'truncated'
  | 'unknown-record'
  | 'corrupt';

/** A trace file that cannot be read: names the byte offset and the problem. */
export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
  readonly problem: TraceFormatProblem;
  /** Byte offset in the trace file where the problem was found. */
  readonly offset: number;

  constructor(problem: TraceFormatProblem, offset: number, detail: string) {
    super(`trace format error at byte ${offset}: ${detail}`);
    this.problem = problem;
    this.offset = offset;
  }
}
