#!/usr/bin/env node
// legosim's command line. The TypeScript sources are compiled to dist/ by `pnpm build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/node.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('legosim: not built yet — run `pnpm install && pnpm build` in the repository first\n');
  process.exit(125);
}
const { cli } = await import(entry.href);
await cli();
