// The CTF export read back by babeltrace2 (skipped when it is not installed): no warnings, every
// event, and every field equal to the jsonl export's value.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FieldDef, TraceEvent, TraceSink } from '../src/index.ts';
import {
  CTF_MAGIC,
  ctfMetadata,
  EVENT_SCHEMA,
  EVENTS_BY_NAME,
  encodeTrace,
  exportCtf,
  readTrace,
  readTraceStream,
  toJsonl,
} from '../src/index.ts';
import { emitSampleV11, PT_REGS_ADDR, SP0, WRITE_ARGS, WRITE_REGS } from './sample.ts';

const HEADER = {
  producer: 'legosim test',
  program: 'sample',
  argv: ['sample', 'x'],
  seed: 42,
  machine: { cpus: 2 },
};

/** The sample (every event type) plus a second CPU busy enough to need several packets. */
function emit(sink: TraceSink): void {
  emitSampleV11(sink);
  for (let i = 0; i < 40; i++) {
    const ts = 4000 + 100 * i;
    sink.syscallEntry(ts, 1, 3, 3, 39, 'getpid', WRITE_ARGS, PT_REGS_ADDR, SP0, WRITE_REGS, true);
    sink.syscallExit(ts + 40, 1, 3, 3, 39, 3, true, false, 'sysret');
  }
  sink.warn(9000, 1, 3, 3, 'quote " backslash \\ newline \n tab \t');
  sink.ipi(9100, 1, 1, 0, 0xfd);
}

const babeltrace = spawnSync('babeltrace2', ['--version']);
const haveBabeltrace = !babeltrace.error && babeltrace.status === 0;
if (!haveBabeltrace) console.warn('babeltrace2 is not installed: skipping the CTF read-back tests');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function exportTo(bytes: Uint8Array, packetSize?: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'legosim-ctf-'));
  dirs.push(dir);
  let header: Record<string, unknown> | undefined;
  await exportCtf(
    readTraceStream([bytes], { onHeader: (h) => (header = h) }),
    (name) => {
      const fd = openSync(join(dir, name), 'w');
      return {
        write: (c) => void (typeof c === 'string' ? writeSync(fd, c) : writeSync(fd, c)),
        close: () => closeSync(fd),
      };
    },
    { header: () => header, packetSize },
  );
  return dir;
}

// --- a parser for babeltrace2's pretty text: { k = v, ... }, [ [0] = v, ... ], ( "x" : container = n ) ---

type Value = string | number | bigint | Value[] | { [key: string]: Value } | { enum: string; value: number };

class Parser {
  at = 0;
  constructor(readonly text: string) {}
  skip(): void {
    while (this.text[this.at] === ' ') this.at++;
  }
  expect(token: string): void {
    this.skip();
    if (!this.text.startsWith(token, this.at))
      throw new Error(`expected ${token} at ${this.at}: ${this.text}`);
    this.at += token.length;
  }
  peek(token: string): boolean {
    this.skip();
    return this.text.startsWith(token, this.at);
  }
  value(): Value {
    this.skip();
    const c = this.text[this.at];
    if (c === '"') {
      let end = this.at + 1;
      while (this.text[end] !== '"') end += this.text[end] === '\\' ? 2 : 1;
      // C escapes as JSON's, plus babeltrace2's `\?` (a C trigraph guard)
      const s = JSON.parse(this.text.slice(this.at, end + 1).replace(/\\\?/g, '?')) as string;
      this.at = end + 1;
      return s;
    }
    if (c === '{') return this.struct();
    if (c === '[') {
      this.expect('[');
      const out: Value[] = [];
      while (!this.peek(']')) {
        this.expect(`[${out.length}]`);
        this.expect('=');
        out.push(this.value());
        if (this.peek(',')) this.expect(',');
      }
      this.expect(']');
      return out;
    }
    if (c === '(') {
      this.expect('(');
      const label = this.value() as string;
      this.expect(':');
      this.expect('container');
      this.expect('=');
      const value = Number(this.value());
      this.expect(')');
      return { enum: label, value };
    }
    const m = /^-?(0x[0-9A-F]+|\d+)/.exec(this.text.slice(this.at))!;
    this.at += m[0].length;
    return m[0].startsWith('0x') ? BigInt(m[0]) : Number(m[0]);
  }
  struct(): { [key: string]: Value } {
    this.expect('{');
    const out: { [key: string]: Value } = {};
    while (!this.peek('}')) {
      this.skip();
      const key = /^[A-Za-z_]\w*/.exec(this.text.slice(this.at));
      if (!key) {
        // a variant option: { value }
        out[''] = this.value();
      } else {
        this.at += key[0].length;
        this.expect('=');
        out[key[0]] = this.value();
      }
      if (this.peek(',')) this.expect(',');
    }
    this.expect('}');
    return out;
  }
}

interface BtEvent {
  ts: number;
  name: string;
  context: { [key: string]: Value };
  fields: { [key: string]: Value };
}

function parseLine(line: string): BtEvent {
  const m = /^\[(\d+)\] \([^)]*\) (\w+): /.exec(line);
  if (!m) throw new Error(`unexpected babeltrace2 line: ${line}`);
  const p = new Parser(line.slice(m[0].length));
  const context = p.struct();
  p.expect(',');
  const fields = p.struct();
  return { ts: Number(m[1]), name: m[2]!, context, fields };
}

function expectedValue(field: FieldDef, value: unknown): unknown {
  switch (field.kind) {
    case 'bool':
      return value ? 1 : 0;
    case 'u64':
    case 'i64':
      return BigInt(value as string);
    case 'u64[]':
      return (value as string[]).map((v) => BigInt(v));
    case 'bytes':
      return (value as string).match(/../g)!.map((pair) => Number.parseInt(pair, 16));
    case 'pt_regs':
      return Object.fromEntries(
        Object.entries(value as Record<string, string>).map(([k, v]) => [k, BigInt(v)]),
      );
    default:
      return value;
  }
}

function runBabeltrace(dir: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('babeltrace2', ['--clock-cycles', dir], { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('CTF export', () => {
  const bytes = encodeTrace(emit, { header: HEADER });
  const source = readTrace(bytes).events;

  it('covers every event type in the test trace', () => {
    expect(new Set(source.map((e) => e.type))).toEqual(new Set(EVENT_SCHEMA.map((e) => e.name)));
  });

  it('generates one event class per schema event type, pt_regs as a struct', () => {
    const tsdl = ctfMetadata(HEADER);
    expect(tsdl.startsWith('/* CTF 1.8 */')).toBe(true);
    for (const def of EVENT_SCHEMA) expect(tsdl).toContain(`name = ${def.name};\n\tid = ${def.id};`);
    expect(tsdl).toMatch(/struct pt_regs \{\n\txuint64_t r15;/);
    expect(tsdl).toContain('base = 16;');
    expect(tsdl).toContain('freq = 1000000000;');
    expect(tsdl).toContain('program = "sample";');
    expect(tsdl).toContain('seed = 42;');
  });

  it('writes packets with the CTF magic, one stream file per CPU', async () => {
    const dir = await exportTo(bytes, 1024);
    const s1 = new Uint8Array(readFileSync(join(dir, 'stream_1')));
    const view = new DataView(s1.buffer, s1.byteOffset, s1.byteLength);
    expect(view.getUint32(0, true)).toBe(CTF_MAGIC);
    expect(view.getUint32(4, true)).toBe(0); // stream id
    // walk the packets by their packet_size (bits, at offset 40)
    let at = 0;
    let packets = 0;
    while (at < s1.length) {
      expect(view.getUint32(at, true)).toBe(CTF_MAGIC);
      at += Number(view.getBigUint64(at + 40, true)) / 8;
      packets++;
    }
    expect(at).toBe(s1.length);
    expect(packets).toBeGreaterThan(1);
    expect(readFileSync(join(dir, 'stream_0')).length).toBeGreaterThan(0);
  });

  it.skipIf(!haveBabeltrace)(
    'is read by babeltrace2 without warnings, every field equal to jsonl',
    async () => {
      for (const packetSize of [undefined, 1024]) {
        const dir = await exportTo(bytes, packetSize);
        const r = runBabeltrace(dir);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const lines = r.stdout.trimEnd().split('\n');
        expect(lines.length).toBe(source.length);
        // babeltrace2 merges the CPU streams by time; within one CPU the order is the source's
        const parsed = lines.map(parseLine);
        for (const cpu of [0, 1]) {
          const want = source.filter((e) => e.cpu === cpu);
          const got = parsed.filter((e) => e.context.cpu_id === cpu);
          expect(got.length).toBe(want.length);
          got.forEach((g, i) => {
            const e: TraceEvent = want[i]!;
            const json = JSON.parse(toJsonl(e)) as Record<string, unknown>;
            const where = `${toJsonl(e)}\n${lines[parsed.indexOf(g)]}`;
            expect(g.name, where).toBe(e.type);
            expect(g.ts, where).toBe(e.ts);
            for (const field of EVENTS_BY_NAME.get(e.type)!.fields) {
              const value = g.fields[field.name];
              if (field.optional) {
                const present = json[field.name] !== undefined;
                expect(g.fields[`${field.name}_tag`], where).toEqual({
                  enum: present ? 'present' : 'absent',
                  value: present ? 1 : 0,
                });
                expect(value, where).toEqual(present ? { '': json[field.name] } : { '': {} });
              } else {
                expect(value, `${field.name} of ${where}`).toEqual(expectedValue(field, json[field.name]));
              }
            }
          });
        }
        // a few fields spelled out, as a reader would see them
        const text = r.stdout;
        expect(text).toContain(
          'syscall_entry: { cpu_id = 0 }, { cpu = 0, pid = 1, tid = 1, nr = 1, name = "write"',
        );
        expect(text).toMatch(/syscall_exit: .* nr = 999, ret = 0xFFFFFFFFFFFFFFDA, .* path = "sysret"/);
        expect(text).toMatch(/irq_entry: .* vector = 239, depth = 1,/);
        expect(text).toMatch(/regs = \{ r15 = 0x0, .* ip = 0x401010,/);
      }
    },
  );

  it.skipIf(!haveBabeltrace)('exports an empty trace that babeltrace2 reads', async () => {
    const dir = await exportTo(encodeTrace(() => {}));
    const r = runBabeltrace(dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });
});
