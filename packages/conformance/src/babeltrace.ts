// Reads babeltrace2's default text output (the `pretty` sink) back into values, so a test can
// compare every field babeltrace2 decoded from our CTF export with the jsonl export of the
// same trace. A line looks like:
//
//   [00:00:00.000000764] (+0.000000033) syscall_exit: { cpu_id = 0 }, { cpu = 0, nr = 158,
//     ret = 0x0, path = "sysret", args = [ [0] = 0x1002, ... ], parent_tid_tag = ( "absent" :
//     container = 0 ), parent_tid = { { } } }
//
// Integers become bigints (babeltrace2 prints decimal, or upper-case hex for fields declared
// with base 16), strings stay strings, structures become objects, arrays and sequences become
// arrays, enumerations become their label, and a variant becomes its selected option's value
// (`undefined` when the selected option is an empty structure: an absent optional field).

export type BtValue = bigint | string | BtValue[] | { [name: string]: BtValue } | undefined;

export interface BtEvent {
  /** Event class name, e.g. `syscall_entry`. */
  name: string;
  /** Time stamp as printed, in ns since the clock's origin. */
  ns: bigint;
  /** The structures after the name: packet context first, the payload last. */
  scopes: BtValue[];
}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new Error(`babeltrace2 line: expected ${what} at column ${this.pos}: ${this.s.slice(this.pos, this.pos + 40)}`);
  }

  skipSpaces(): void {
    while (this.s[this.pos] === ' ') this.pos++;
  }

  eat(text: string): boolean {
    this.skipSpaces();
    if (!this.s.startsWith(text, this.pos)) return false;
    this.pos += text.length;
    return true;
  }

  expect(text: string): void {
    if (!this.eat(text)) this.fail(JSON.stringify(text));
  }

  identifier(): string | undefined {
    this.skipSpaces();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  string(): string {
    this.expect('"');
    let out = '';
    for (;;) {
      const c = this.s[this.pos++];
      if (c === undefined) this.fail('the end of a string');
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.pos++];
      const simple: Record<string, string> = { '?': '?', "'": "'", n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
      if (e !== undefined && e in simple) out += simple[e];
      else this.fail('a known string escape');
    }
  }

  value(): BtValue {
    this.skipSpaces();
    const c = this.s[this.pos];
    if (c === '"') return this.string();
    if (c === '[') return this.array();
    if (c === '{') return this.struct();
    if (c === '(') return this.enumeration();
    const m = /^-?(0x[0-9A-Fa-f]+|[0-9]+)/.exec(this.s.slice(this.pos));
    if (!m) this.fail('a value');
    this.pos += m[0].length;
    return BigInt(m[0]);
  }

  array(): BtValue[] {
    this.expect('[');
    const out: BtValue[] = [];
    if (this.eat(']')) return out;
    do {
      this.expect('[');
      this.value();
      this.expect(']');
      this.expect('=');
      out.push(this.value());
    } while (this.eat(','));
    this.expect(']');
    return out;
  }

  /** A structure `{ a = 1, b = 2 }`, or a variant `{ <option value> }`. */
  struct(): BtValue {
    this.expect('{');
    if (this.eat('}')) return {};
    const save = this.pos;
    const name = this.identifier();
    if (name === undefined || !this.eat('=')) {
      // a variant: braces around the selected option's value, without its name
      this.pos = save;
      const selected = this.value();
      this.expect('}');
      return selected !== undefined && typeof selected === 'object' && !Array.isArray(selected) && Object.keys(selected).length === 0
        ? undefined
        : selected;
    }
    const out: { [name: string]: BtValue } = {};
    out[name] = this.value();
    while (this.eat(',')) {
      const next = this.identifier();
      if (next === undefined) this.fail('a field name');
      this.expect('=');
      out[next] = this.value();
    }
    this.expect('}');
    return out;
  }

  /** `( "label" : container = 0 )`: the label. */
  enumeration(): string {
    this.expect('(');
    const label = this.string();
    this.expect(':');
    this.expect('container');
    this.expect('=');
    this.value();
    this.expect(')');
    return label;
  }
}

/** Parses one line of `babeltrace2 DIR` output. */
export function parseBabeltraceLine(line: string): BtEvent {
  const head = /^\[(\d+):(\d+):(\d+)\.(\d{9})\] \((?:\+[0-9?.]+)\) ([A-Za-z0-9_]+): /.exec(line);
  if (!head) throw new Error(`babeltrace2 line without the expected head: ${line.slice(0, 80)}`);
  const [, h, m, s, frac, name] = head;
  const ns = ((BigInt(h!) * 60n + BigInt(m!)) * 60n + BigInt(s!)) * 1_000_000_000n + BigInt(frac!);
  const p = new Parser(line);
  p.pos = head[0].length;
  const scopes: BtValue[] = [p.value()];
  while (p.eat(',')) scopes.push(p.value());
  p.skipSpaces();
  if (p.pos !== line.length) p.fail('the end of the line');
  return { name: name!, ns, scopes };
}
