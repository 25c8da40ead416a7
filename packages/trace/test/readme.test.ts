import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it("keeps README.example.ts identical to the README's example (so the documented code runs)", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = readme.split('```ts\n')[1]!.split('```')[0]!;
  const example = readFileSync(new URL('../README.example.ts', import.meta.url), 'utf8');
  const body = example
    .slice(example.indexOf('\n') + 1)
    .replace("from './src/index.ts'", "from '@legosim/trace'");
  expect(body).toBe(code);
});
