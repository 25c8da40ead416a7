// Runs a static program twice under legosim and prints the MIPS (for `node --cpu-prof`).
import { readFileSync } from 'node:fs';
import { Kernel } from '@legosim/kernel';
const prog = process.argv[2]!;
const args = process.argv.slice(3);
for (let i = 0; i < 2; i++) {
  const k = new Kernel({ host: { write: () => {}, read: () => new Uint8Array(0) } });
  k.exec(readFileSync(prog), [prog, ...args], [], prog);
  const t = performance.now();
  const r = k.run();
  const ms = performance.now() - t;
  console.log(`${r.instructions} instr, ${r.syscalls} syscalls, ${ms.toFixed(0)} ms, ${(r.instructions / ms / 1000).toFixed(1)} MIPS`);
}
