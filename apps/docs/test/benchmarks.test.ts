import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { barChart, formatValue, PAGE, readResults, renderBenchmarks } from '../scripts/benchmarks.mts';

test('reference/benchmarks.md plots the committed bench results (run `pnpm --filter @legosim/docs benchmarks` after `pnpm bench`)', () => {
  const results = readResults();
  for (const section of ['decode', 'run', 'trace']) expect(Object.keys(results)).toContain(section);
  expect(readFileSync(PAGE, 'utf8')).toBe(renderBenchmarks(results));
});

test('a chart has a bar per runner, the target line, and a log axis only for a wide spread', () => {
  const near = barChart([
    { bench: 'b', runner: 'legosim', value: 40, unit: 'MIPS', better: 'higher', target: 50 },
    { bench: 'b', runner: 'qemu-x86_64', value: 80, unit: 'MIPS', better: 'higher' },
  ]);
  expect(near.match(/<rect /g)).toHaveLength(2);
  expect(near).toContain('target 50.0');
  expect(near).not.toContain('log scale');
  const wide = barChart([
    { bench: 'b', runner: 'legosim', value: 20, unit: 'MIPS', better: 'higher' },
    { bench: 'b', runner: 'native', value: 2500, unit: 'MIPS', better: 'higher' },
  ]);
  expect(wide).toContain('MIPS, log scale');
  expect(formatValue(1234567.8)).toBe('1,234,568');
  expect(formatValue(4.567)).toBe('4.57');
});
