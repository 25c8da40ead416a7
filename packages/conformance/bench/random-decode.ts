/**
 * 1,000,000 random 1-15 byte sequences through @legosim/x86 and iced-x86 (see
 * src/random-decode.ts); prints every disagreement key and the per-category totals of
 * test/iced-differences.txt. Exit status 1 if our decoder threw or a key has no category.
 *
 *   tsx --conditions=@legosim/source bench/random-decode.ts [count] [seed]
 */
import { readFileSync } from 'node:fs';
import { compareRandom, formatSummary, parseDifferences, tallyByCategory } from '../src/random-decode.js';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const categories = parseDifferences(readFileSync(new URL('../test/iced-differences.txt', import.meta.url), 'utf8'));
const t0 = performance.now();
const summary = compareRandom(count, seed);
const ms = performance.now() - t0;
console.log(formatSummary(summary).join('\n'));
const { byCategory, uncategorized } = tallyByCategory(summary, categories);
console.log('\nby category (test/iced-differences.txt):');
for (const c of categories) {
  const t = byCategory.get(c.id);
  console.log(`${String(t?.count ?? 0).padStart(7)}  ${c.id}${t ? `  e.g. ${t.example}` : ''}`);
}
for (const d of uncategorized) console.log(`${String(d.count).padStart(7)}  UNCATEGORIZED ${d.key}  e.g. ${d.example}: ${d.detail}`);
for (const t of summary.threw) console.log(`THREW ${t}`);
console.log(`\n${count} sequences (seed ${seed}) in ${(ms / 1000).toFixed(1)} s`);
if (summary.threw.length > 0 || uncategorized.length > 0) process.exitCode = 1;
