/** How much text the exporters gather before one call of their `write`. */
const CHUNK = 65536;

/**
 * Text written in pieces of about 64 KiB: exporters append a line or an event at a time,
 * and their `write` (a file, stdout) is called a few times per megabyte instead of per line.
 */
export class TextChunks {
  private buffer = '';

  constructor(private readonly write: (text: string) => void) {}

  add(text: string): void {
    this.buffer += text;
    if (this.buffer.length > CHUNK) this.flush();
  }

  /** Writes what is gathered (call once at the end). */
  flush(): void {
    if (this.buffer) this.write(this.buffer);
    this.buffer = '';
  }
}
