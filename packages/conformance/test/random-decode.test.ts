import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { compareRandom, formatSummary, parseDifferences, tallyByCategory } from '../src/random-decode.js';

const DIFFERENCES = new URL('./iced-differences.txt', import.meta.url);
const SEQUENCES = 1_000_000;
const SEED = 1;

describe('random bytes decode as iced-x86 decodes them', () => {
  test(`${SEQUENCES} random 1-15 byte sequences: never throws; validity and length agree except the listed categories`, () => {
    const categories = parseDifferences(readFileSync(DIFFERENCES, 'utf8'));
    expect(categories.length).toBeGreaterThan(0);
    for (const c of categories) {
      expect(c.reason, c.id).not.toBe('');
      expect(c.keys.length, c.id).toBeGreaterThan(0);
      expect(c.count, `${c.id} has a count: line`).toBeTypeOf('number');
    }
    const summary = compareRandom(SEQUENCES, SEED);
    expect(summary.threw).toEqual([]);
    const { byCategory, uncategorized } = tallyByCategory(summary, categories);
    const report = formatSummary(summary).join('\n');
    // every disagreement falls in a category of test/iced-differences.txt ...
    expect(uncategorized.map((d) => `${d.count} ${d.key} e.g. ${d.example}: ${d.detail}`), report).toEqual([]);
    // ... and the file's counts are this run's (a decoder change moves them: update the file)
    const counts = Object.fromEntries(categories.map((c) => [c.id, byCategory.get(c.id)?.count ?? 0]));
    expect(counts, report).toEqual(Object.fromEntries(categories.map((c) => [c.id, c.count])));
    // most sequences agree; the listed differences stay a small fraction
    const disagreeing = [...byCategory.values()].reduce((n, t) => n + t.count, 0);
    expect(summary.bothValid + summary.bothInvalid + disagreeing).toBe(SEQUENCES);
    expect(disagreeing).toBeLessThan(SEQUENCES / 100);
  }, 60_000);
});
