// Embeds the kernel's assembly sources (arch/x86/entry/entry_64.S and the arch/x86/lib
// routines) into TypeScript modules, so the kernel can assemble them at boot in any JS
// engine (no file system in the browser). The .S files are the source of truth;
// `pnpm --filter @legosim/kernel embed` regenerates, and a test fails on a stale copy.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The assembly files, relative to src/arch/x86, and the constant each one's module exports. */
export const EMBEDDED = [
  { file: 'entry/entry_64.S', name: 'ENTRY_64_S' },
  { file: 'lib/copy_user_64.S', name: 'COPY_USER_64_S' },
  { file: 'lib/clear_page_64.S', name: 'CLEAR_PAGE_64_S' },
  { file: 'kernel/idle_64.S', name: 'IDLE_64_S' },
];

export function render(source, file = 'entry/entry_64.S', name = 'ENTRY_64_S') {
  const base = file.split('/').pop();
  return (
    `// generated from ${base} by scripts/embed-entry.mjs — do not edit; run \`pnpm --filter @legosim/kernel embed\`\n` +
    `/** The text of arch/x86/${file}, assembled by the kernel at boot. */\n` +
    `export const ${name}: string = ${JSON.stringify(source)};\n`
  );
}

const here = dirname(fileURLToPath(import.meta.url));
export const ARCH_DIR = join(here, '..', 'src', 'arch', 'x86');
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { file, name } of EMBEDDED) {
    const path = join(ARCH_DIR, file);
    writeFileSync(path.replace(/\.S$/, '.ts'), render(readFileSync(path, 'utf8'), file, name));
  }
}
