// Embeds arch/x86/entry/entry_64.S into a TypeScript module, so the kernel can assemble it
// at boot in any JS engine (no file system in the browser). The .S file is the source of
// truth; `pnpm --filter @legosim/kernel embed` regenerates, and a test fails on a stale copy.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function render(source) {
  return (
    '// generated from entry_64.S by scripts/embed-entry.mjs — do not edit; run `pnpm --filter @legosim/kernel embed`\n' +
    '/** The text of arch/x86/entry/entry_64.S, assembled by the kernel at boot. */\n' +
    `export const ENTRY_64_S: string = ${JSON.stringify(source)};\n`
  );
}

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '..', 'src', 'arch', 'x86', 'entry');
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(dir, 'entry_64.ts'), render(readFileSync(join(dir, 'entry_64.S'), 'utf8')));
}
