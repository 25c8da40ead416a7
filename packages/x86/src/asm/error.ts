/** A source position: 1-based line in the assembled text, plus the macro/rept expansion chain. */
export interface SourcePos {
  readonly line: number;
  /** Present when the statement came out of a macro expansion: the macro's name. */
  readonly macro?: string;
}

/**
 * An assembly error. `line` is the 1-based line of the statement in the source text (for a
 * statement produced by a macro, the line of the macro invocation).
 */
export class AsmError extends Error {
  override readonly name = 'AsmError';
  readonly line: number;
  /** The message without the `line N:` prefix. */
  readonly reason: string;

  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.line = line;
    this.reason = reason;
  }
}
