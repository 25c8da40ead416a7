// A real program's trace through the CTF exporter, read back by babeltrace2 (the reference
// CTF reader): it must accept the trace silently, print every event of the source trace, and
// agree with the jsonl export on every event: its type, its time stamp and every field value.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_BY_NAME, readTrace } from '@legosim/trace';
import { afterAll, describe, expect, test } from 'vitest';
import { type BtValue, parseBabeltraceLine } from '../src/babeltrace.js';
import { runCli } from '../src/cli.js';
import { hasCommand } from '../src/probes.js';
import { BUSYBOX } from './native.js';

const STDIN = new TextEncoder().encode('legosim ctf export through babeltrace2\n'.repeat(100));
const hasBabeltrace = hasCommand('babeltrace2');
const missing = [!existsSync(BUSYBOX) && BUSYBOX, !hasBabeltrace && 'babeltrace2'].filter(Boolean);
if (missing.length > 0) console.warn(`skipping the busybox CTF test: ${missing.join(' and ')} not installed`);

const dir = mkdtempSync(join(tmpdir(), 'legosim-trace-ctf-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A jsonl event's fields as babeltrace2 shows them: integers as bigints, bytes as arrays. */
function asBabeltrace(event: Record<string, unknown>): { [name: string]: BtValue } {
  const def = EVENTS_BY_NAME.get(event.type as string);
  if (!def) throw new Error(`unknown event type ${String(event.type)}`);
  const u64 = (v: unknown): bigint => BigInt.asUintN(64, BigInt(v as string));
  const out: { [name: string]: BtValue } = {};
  for (const field of def.fields) {
    const v = event[field.name];
    if (v === undefined) continue; // an absent optional field: the variant's empty option
    switch (field.kind) {
      case 'u64':
      case 'i64':
        out[field.name] = u64(v);
        break;
      case 'u64[]':
        out[field.name] = (v as string[]).map(u64);
        break;
      case 'pt_regs':
        out[field.name] = Object.fromEntries(Object.entries(v as Record<string, string>).map(([k, x]) => [k, u64(x)]));
        break;
      case 'bytes':
        out[field.name] = ((v as string).match(/../g) ?? []).map((b) => BigInt(`0x${b}`));
        break;
      case 'bool':
        out[field.name] = v ? 1n : 0n;
        break;
      case 'string':
        out[field.name] = v as string;
        break;
      default:
        out[field.name] = BigInt(v as number);
    }
  }
  return out;
}

/** babeltrace2's payload without the CTF-only length and tag fields that precede sequences and variants. */
function payloadOf(value: BtValue): { [name: string]: BtValue } {
  const out: { [name: string]: BtValue } = {};
  for (const [k, v] of Object.entries(value as { [name: string]: BtValue })) {
    if (/_length$|_tag$/.test(k) || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

describe.skipIf(missing.length > 0)('CTF export of a busybox run, read by babeltrace2', () => {
  test('busybox sha256sum: every event, no complaints, every field as in the jsonl export', async () => {
    const file = join(dir, 'sha256sum.lgstrace');
    const run = await runCli(['run', '--trace', file, BUSYBOX, 'sha256sum'], STDIN);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^[0-9a-f]{64} {2}-\n$/);
    const source = readTrace(readFileSync(file));

    const out = join(dir, 'ctf');
    const exported = await runCli(['trace', file, '--format', 'ctf', '-o', out]);
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);

    const bt = spawnSync('babeltrace2', [out], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(bt.stderr).toBe('');
    expect(bt.status).toBe(0);
    const lines = bt.stdout.split('\n').filter((l) => l !== '');
    expect(lines.length).toBe(source.events.length);

    const jsonl = await runCli(['trace', file, '--format', 'jsonl']);
    expect(jsonl.status).toBe(0);
    const fromJsonl = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(fromJsonl.length).toBe(source.events.length);
    const types = new Set(fromJsonl.map((e) => e.type));
    for (const t of ['task_new', 'syscall_entry', 'syscall_exit', 'counter', 'task_exit']) expect(types).toContain(t);
    // babeltrace2 sorts by time stamp; events of one time stamp keep the stream's order
    fromJsonl.forEach((event, i) => {
      const bt = parseBabeltraceLine(lines[i]!);
      const where = `event ${i}: ${lines[i]!.slice(0, 120)}`;
      expect(bt.name, where).toBe(event.type);
      expect(bt.ns, where).toBe(BigInt(event.ts as number));
      expect(payloadOf(bt.scopes.at(-1)), where).toEqual(asBabeltrace(event));
    });
  });
});
