/**
 * The kernel console. Lines go to a `(line) => void` the host supplies (the CLI prints
 * them on stderr). Formats follow Lego's: WARN blocks, NOTICE lines, segfault reports.
 */
export type ConsoleWriter = (line: string) => void;

export class Console {
  /** How many WARN blocks have been printed (Lego's `---[ end trace` id comes from it). */
  warnings = 0;

  constructor(private readonly write: ConsoleWriter) {}

  printk(line: string): void {
    this.write(line);
  }

  /**
   * Lego's WARN(): `------------[ cut here ]------------`, the location, the message, a
   * stack dump, and `---[ end trace %016llx ]---`. It does not panic.
   */
  warn(cpu: number, pid: number, where: string, symbol: string, message: string, dump: readonly string[]): void {
    this.warnings++;
    this.write('------------[ cut here ]------------');
    this.write(`WARNING: CPU: ${cpu} PID: ${pid} at ${where} ${symbol}`);
    this.write(message);
    for (const line of dump) this.write(line);
    this.write(`---[ end trace ${this.warnings.toString(16).padStart(16, '0')} ]---`);
  }
}
