// Adds up the vitest JSON reports of every package and prints one closing line,
// `N passed, N failed, N skipped`, so CI can read the result of the whole workspace.
//
// It runs after turbo whether turbo passed or not (`pnpm test` hands it turbo's exit status as
// `--turbo-status N`), because a CI log is often read from its tail: every failed test, every
// test file that failed outside its tests and every report vitest marked unsuccessful is named
// here again, with the first lines of its error, instead of only somewhere in the middle of
// turbo's interleaved output.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const statusArg = process.argv.indexOf('--turbo-status');
const turboStatus = statusArg > 0 ? Number(process.argv[statusArg + 1]) : 0;

/** The first few lines of an error message, indented, without terminal colours. */
function excerpt(message, lines = 6) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes are what is removed
  const plain = String(message).replace(/\u001b\[[0-9;]*m/g, '');
  return plain
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, lines)
    .map((l) => `      ${l}`)
    .join('\n');
}

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
const problems = [];
for (const group of ['packages', 'apps', 'tooling']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const pkg = join(dir, name);
    if (!existsSync(join(pkg, 'vitest.config.ts'))) continue;
    const where = `${group}/${name}`;
    const report = join(pkg, '.vitest-results.json');
    if (!existsSync(report)) {
      missing.push(where);
      continue;
    }
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    let named = 0;
    for (const file of r.testResults ?? []) {
      const path = relative(root, file.name);
      for (const t of file.assertionResults ?? []) {
        if (t.status !== 'failed') continue;
        named++;
        problems.push(`  ✗ ${path} › ${t.fullName}\n${excerpt((t.failureMessages ?? []).join('\n'))}`);
      }
      // a file that failed with no failed test in it: an import error, a hook, a crashed worker
      if (file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed')) {
        named++;
        failed++;
        problems.push(
          `  ✗ ${path} (the file failed outside its tests)\n${excerpt(file.message || 'no message')}`,
        );
      }
    }
    if (r.success === false && named === 0) {
      problems.push(
        `  ✗ ${where}: vitest reported an error outside any test file (an unhandled error or a worker that did not start or stop; see its output above)`,
      );
      failed++;
    }
  }
}
if (problems.length > 0) console.log(`\nwhat failed:\n${problems.join('\n')}`);
if (missing.length > 0) {
  console.log(`no test report from: ${missing.join(', ')}`);
  failed += missing.length;
}
if (turboStatus !== 0) {
  console.log(
    `turbo exited with status ${turboStatus}: a type check, lint, package check, build or test task failed (its output is above, prefixed with the task's name)`,
  );
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 || turboStatus !== 0 ? 1 : 0;
