import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, vi } from 'vitest';

test("the README's example runs and prints what its comments say", async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = readme.split('```ts\n')[1]!.split('```')[0]!;
  // Each `console.log(...); // value (explanation)` line documents what it prints.
  const expected = [...code.matchAll(/console\.log\(.*; \/\/ ([^(\n]+?)(?: \(.*\))?\n/g)].map((m) => m[1]!);
  expect(expected).toHaveLength(6);
  const src = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'interrupts-readme-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, code.replace("from '@legosim/interrupts'", `from ${JSON.stringify(src)}`));
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.join(' '));
  });
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    log.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(printed).toEqual(expected);
});
