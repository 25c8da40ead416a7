/**
 * `busybox sha256sum` of `data` on stdin under legosim, with the APIC timer at `timerHz`
 * (Lego's HZ; 0 = off): the run's wall time around `Kernel.run()`, its result and what it
 * printed. bench/run.ts runs it in process; bench/sha256-child.ts runs it in a fresh one.
 */
import { readFileSync } from 'node:fs';
import { Kernel, type RunResult } from '@legosim/kernel';

export const BUSYBOX = '/bin/busybox';

export function sha256sum(data: Uint8Array, timerHz: number): { ms: number; r: RunResult; out: string } {
  const out: string[] = [];
  let offset = 0;
  const kernel = new Kernel({
    timerHz,
    host: {
      write: (_fd, d) => out.push(new TextDecoder().decode(d)),
      read: (_fd, max) => {
        const chunk = data.subarray(offset, offset + max);
        offset += chunk.length;
        return chunk;
      },
    },
  });
  kernel.exec(readFileSync(BUSYBOX), ['busybox', 'sha256sum'], [], BUSYBOX);
  const t0 = performance.now();
  const r = kernel.run();
  return { ms: performance.now() - t0, r, out: out.join('') };
}
