/**
 * One `busybox sha256sum` of FILE on stdin under legosim at the APIC timer frequency HZ, in a
 * process of its own: `tsx bench/sha256-child.ts FILE HZ` prints one JSON line (wall ms,
 * instructions, simulated ns, the output). bench/run.ts compares timer frequencies with it, each
 * run in a fresh process, so that no run inherits another's JIT state.
 */
import { readFileSync } from 'node:fs';
import { Kernel } from '@legosim/kernel';

const BUSYBOX = '/bin/busybox';
const [file, hz] = process.argv.slice(2);
const data = readFileSync(file!);
let offset = 0;
const out: string[] = [];
const kernel = new Kernel({
  timerHz: Number(hz),
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
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, instructions: r.instructions, simulatedNs: r.simulatedNs, out: out.join('') }));
