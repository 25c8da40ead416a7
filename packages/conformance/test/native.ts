import { spawnSync } from 'node:child_process';

/** Runs a program natively on the host CPU (the oracle). */
export function runNative(path: string, args: readonly string[] = [], stdin?: Uint8Array): { status: number; stdout: string } {
  const r = spawnSync(path, args, { input: stdin ?? new Uint8Array(0), maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status ?? 128 + 9, stdout: r.stdout.toString('utf8') };
}
