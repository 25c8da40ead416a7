// A real program's trace through the CTF exporter, read back by babeltrace2 (the reference
// CTF reader): it must accept the trace silently, print every event of the source trace,
// and agree with the jsonl export on each syscall_entry's nr and name, in order.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrace } from '@legosim/trace';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../src/cli.js';
import { hasCommand } from '../src/probes.js';

const BUSYBOX = '/bin/busybox';
const STDIN = new TextEncoder().encode('legosim ctf export through babeltrace2\n'.repeat(100));
const hasBabeltrace = hasCommand('babeltrace2');
const missing = [!existsSync(BUSYBOX) && BUSYBOX, !hasBabeltrace && 'babeltrace2'].filter(Boolean);
if (missing.length > 0) console.warn(`skipping the busybox CTF test: ${missing.join(' and ')} not installed`);

const dir = mkdtempSync(join(tmpdir(), 'legosim-trace-ctf-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing.length > 0)('CTF export of a busybox run, read by babeltrace2', () => {
  test('busybox sha256sum: every event, no complaints, syscalls in jsonl order', async () => {
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
      .map((l) => JSON.parse(l) as { type: string; nr?: number; name?: string })
      .filter((e) => e.type === 'syscall_entry')
      .map((e) => `${e.nr} ${e.name}`);
    const fromBabeltrace = lines
      .filter((l) => / syscall_entry: /.test(l))
      .map((l) => {
        const m = /\bnr = (\d+), name = "([^"]*)"/.exec(l);
        expect(m, l).not.toBeNull();
        return `${m![1]} ${m![2]}`;
      });
    expect(fromJsonl.length).toBeGreaterThan(5);
    expect(fromJsonl.length).toBe(source.events.filter((e) => e.type === 'syscall_entry').length);
    expect(fromBabeltrace).toEqual(fromJsonl);
  });
});
