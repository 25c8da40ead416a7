/** Writes src/generated/*.generated.ts from the instruction table. Run: pnpm --filter @legosim/x86 generate */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TABLE } from '../src/table/index.js';
import { generate } from './generator.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'generated');
mkdirSync(out, { recursive: true });
for (const [name, text] of generate(TABLE)) writeFileSync(join(out, name), text);
console.log(`wrote ${out}`);
