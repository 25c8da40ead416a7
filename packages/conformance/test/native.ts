import { expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { runCli } from '../src/index.js';

/** Where busybox-static puts the oracle's shell and applets. */
export const BUSYBOX = '/bin/busybox';

/**
 * `busybox sh -c SCRIPT` under legosim (with `runOptions`, e.g. `--cpus 4`) prints what it
 * prints natively, to stdout only, and exits the same way.
 */
export async function expectShellLikeNative(script: string, runOptions: readonly string[] = []): Promise<void> {
  const native = runNative(BUSYBOX, ['sh', '-c', script]);
  const lego = await runCli(['run', ...runOptions, BUSYBOX, 'sh', '-c', script]);
  expect(lego.stderr).toBe('');
  expect(lego.stdout).toBe(native.stdout);
  expect(lego.status).toBe(native.status);
}

/** Runs a program natively on the host CPU (the oracle); a signal death is 128 + signal, as in a shell. */
export function runNative(path: string, args: readonly string[] = [], stdin?: Uint8Array): { status: number; stdout: string } {
  const r = spawnSync(path, args, { input: stdin ?? new Uint8Array(0), maxBuffer: 64 << 20 });
  // a program that exits without reading all of stdin makes the write end see EPIPE: not an error of the run
  if (r.error && (r.error as { code?: string }).code !== 'EPIPE') throw r.error;
  const status = r.signal ? 128 + constants.signals[r.signal] : (r.status ?? 0);
  return { status, stdout: r.stdout.toString('utf8') };
}

/**
 * The model printed exactly the oracle's lines: the first line that differs is named (not a
 * dump of two outputs), then the line counts must agree too.
 */
export function expectSameLines(native: string, lego: string): void {
  const a = native.split('\n');
  const b = lego.split('\n');
  const first = a.findIndex((line, i) => line !== b[i]);
  expect(first === -1 ? 'identical' : `line ${first}: native ${a[first]} / legosim ${b[first]}`).toBe('identical');
  expect(b.length).toBe(a.length);
}
