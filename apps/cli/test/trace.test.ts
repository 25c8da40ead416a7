// `legosim trace FILE --format ...` in process: record a real trace of the demo program, then
// export it in every format.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildDemoProgram } from '../src/demo.js';
import { type Captured, type CliIo, main, runCli } from '../src/index.js';
import { nodeIo } from '../src/node.js';

let dir: string;
let traceFile: string;

/** Runs `legosim ARGS` in-process; files are the real file system. */
const run = (args: string[]): Promise<Captured> => runCli(args);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'legosim-trace-'));
  const demo = join(dir, 'demo');
  writeFileSync(demo, buildDemoProgram(), { mode: 0o755 });
  traceFile = join(dir, 'demo.lgstrace');
  const r = await run(['run', '--trace', traceFile, demo]);
  expect(r.status).toBe(0);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function jsonl(): Record<string, unknown>[] {
  return readFileSync(join(dir, 'demo.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('legosim trace', () => {
  test('jsonl: one event per line, syscalls included', async () => {
    const r = await run(['trace', traceFile, '-o', join(dir, 'demo.jsonl')]);
    expect(r.status).toBe(0);
    const events = jsonl();
    expect(events.filter((e) => e.type === 'syscall_entry').length).toBeGreaterThanOrEqual(3);
  });

  test('summary: a table with the demo syscalls and a total row', async () => {
    const r = await run(['trace', traceFile, '--format', 'summary']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^% time +usecs +usecs\/call +calls +errors syscall\n/);
    expect(r.stdout).toMatch(/ write\n/);
    expect(r.stdout).toMatch(/^100\.00 .* total$/m);
    expect(r.stdout).toMatch(/^context switches +\d+$/m);
  });

  test('chrome: valid JSON with a slice per completed syscall', async () => {
    const out = join(dir, 'demo.json');
    const r = await run(['trace', traceFile, '--format', 'chrome', '-o', out]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(Array.isArray(doc.traceEvents)).toBe(true);
    const slices = doc.traceEvents.filter(
      (e: { ph: string; cat?: string }) => e.ph === 'X' && e.cat === 'syscall',
    );
    const entries = jsonl().filter((e) => e.type === 'syscall_entry');
    expect(slices.length).toBe(entries.length);
    expect(slices[0].args.name).toBe(entries[0]!.name);
    expect(slices[0].ts).toBe((entries[0]!.ts as number) / 1000);
  });

  test('ctf: a directory babeltrace2 reads', async () => {
    const out = join(dir, 'ctf');
    const r = await run(['trace', traceFile, '--format', 'ctf', '-o', out]);
    expect(r.status).toBe(0);
    expect(readdirSync(out).sort()).toContain('metadata');
    expect(existsSync(join(out, 'stream_0'))).toBe(true);
    expect(readFileSync(join(out, 'metadata'), 'utf8')).toMatch(/^\/\* CTF 1\.8 \*\//);
    const bt = spawnSync('babeltrace2', ['--version']);
    if (bt.error) {
      console.warn('babeltrace2 is not installed: skipping the read-back of the CTF export');
      return;
    }
    const read = spawnSync('babeltrace2', [out], { encoding: 'utf8' });
    expect(read.stderr).toBe('');
    expect(read.status).toBe(0);
    expect(read.stdout.trim().split('\n').length).toBe(jsonl().length);
    expect(read.stdout).toMatch(
      /syscall_entry: \{ cpu_id = 0 \}, \{ cpu = 0, pid = 1, tid = 1, nr = 1, name = "write"/,
    );
  });

  test.each([
    [['trace', 'f', '--format', 'bogus'], /unknown format bogus/],
    [['trace', 'f', '--format', 'ctf'], /-o DIR/],
  ])('%j fails with one clear line and 125', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.status).toBe(125);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  test('reads FILE in chunks through CliIo.readChunks, never whole', async () => {
    const sizes: number[] = [];
    let readFileCalls = 0;
    let stdout = '';
    const io: CliIo = {
      ...nodeIo,
      write: (fd, d) => {
        if (fd === 1) stdout += typeof d === 'string' ? d : new TextDecoder().decode(d);
      },
      readFile: (path) => {
        readFileCalls++;
        return nodeIo.readFile(path);
      },
      // 7-byte pieces: records and varints straddle chunk boundaries
      readChunks: (path) => {
        const chunks: Uint8Array[] = [];
        for (const c of nodeIo.readChunks(path, 7)) {
          sizes.push(c.length);
          chunks.push(c);
        }
        return chunks;
      },
      isTty: () => false,
    };
    expect(await main(['trace', traceFile], io)).toBe(0);
    expect(readFileCalls).toBe(0);
    expect(Math.max(...sizes)).toBe(7);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(readFileSync(traceFile).length);
    expect(stdout).toBe(readFileSync(join(dir, 'demo.jsonl'), 'utf8'));
  });

  test('the Node host reads a file in 1 MiB chunks by default', () => {
    const big = join(dir, 'big.bin');
    const bytes = new Uint8Array((1 << 20) * 2 + 5).map((_, i) => i & 0xff);
    writeFileSync(big, bytes);
    const chunks = [...nodeIo.readChunks(big)];
    expect(chunks.map((c) => c.length)).toEqual([1 << 20, 1 << 20, 5]);
    expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
  });

  test('an unreadable FILE fails with one line and 125, creating no output', async () => {
    const out = join(dir, 'never.jsonl');
    const r = await run(['trace', join(dir, 'does-not-exist'), '-o', out]);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/cannot read .*does-not-exist/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  test('--help lists the formats', async () => {
    const r = await run(['trace', '--help']);
    expect(r.stdout).toMatch(/--format jsonl\|text\|strace\|summary\|chrome\|ctf/);
    for (const f of ['jsonl', 'text', 'strace', 'summary', 'chrome', 'ctf']) expect(r.stdout).toMatch(new RegExp(`^  ${f} `, 'm'));
  });
});
