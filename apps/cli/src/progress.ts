import type { CliIo } from './io.js';

/** What the progress line shows: read from the machine at each redraw. */
export interface ProgressSource {
  /** Instructions retired so far. */
  instructions(): number;
  /** Simulated time so far, ns. */
  simulatedNs(): number;
}

/** No line before this much wall time: short runs stay silent. */
const FIRST_DRAW_MS = 500;
/** Redraw at most this often. */
const REDRAW_MS = 200;

/**
 * The one-line progress report of a long run on a terminal's stderr: instructions retired,
 * MIPS and simulated time, rewritten in place. Output of the guest or of legosim goes
 * through `write`, which erases the line first so nothing is mixed into it; `done` erases it
 * for good. Off (every method a pass-through) when stderr is not a terminal.
 */
export class ProgressLine {
  private readonly started: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private shown = false;

  constructor(
    private readonly io: CliIo,
    private readonly source: ProgressSource,
    readonly enabled: boolean = io.isTty(2),
  ) {
    this.started = io.now();
  }

  /** Called between slices of the run: redraws when it is time to. */
  tick(): void {
    if (!this.enabled) return;
    const now = this.io.now();
    const elapsed = now - this.started;
    if (elapsed < FIRST_DRAW_MS || now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const n = this.source.instructions();
    const mips = elapsed > 0 ? n / elapsed / 1000 : 0;
    const simMs = this.source.simulatedNs() / 1e6;
    const line = `legosim: ${n.toLocaleString('en-US')} instructions, ${mips.toFixed(1)} MIPS, ${simMs.toFixed(3)} ms simulated`;
    this.io.write(2, `\r\x1b[K${line}`);
    this.shown = true;
  }

  /** Writes to the terminal with the progress line out of the way. */
  write(fd: 1 | 2, data: Uint8Array | string): void {
    this.erase();
    this.io.write(fd, data);
  }

  /** Erases the line (the run ended). */
  done(): void {
    this.erase();
  }

  private erase(): void {
    if (!this.shown) return;
    this.io.write(2, '\r\x1b[K');
    this.shown = false;
  }
}
