import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';

/** Runs a program natively on the host CPU (the oracle); a signal death is 128 + signal, as in a shell. */
export function runNative(path: string, args: readonly string[] = [], stdin?: Uint8Array): { status: number; stdout: string } {
  const r = spawnSync(path, args, { input: stdin ?? new Uint8Array(0), maxBuffer: 64 << 20 });
  // a program that exits without reading all of stdin makes the write end see EPIPE: not an error of the run
  if (r.error && (r.error as { code?: string }).code !== 'EPIPE') throw r.error;
  const status = r.signal ? 128 + constants.signals[r.signal] : (r.status ?? 0);
  return { status, stdout: r.stdout.toString('utf8') };
}
