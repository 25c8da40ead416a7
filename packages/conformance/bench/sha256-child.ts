/**
 * One `busybox sha256sum` of FILE on stdin under legosim at the APIC timer frequency HZ, in a
 * process of its own: `tsx bench/sha256-child.ts FILE HZ` prints one JSON line (wall ms,
 * instructions, simulated ns, the output). bench/run.ts compares timer frequencies with it, each
 * run in a fresh process, so that no run inherits another's JIT state.
 */
import { readFileSync } from 'node:fs';
import { sha256sum } from './sha256.js';

const [file, hz] = process.argv.slice(2);
const { ms, r, out } = sha256sum(readFileSync(file!), Number(hz));
console.log(JSON.stringify({ ms, instructions: r.instructions, simulatedNs: r.simulatedNs, out }));
