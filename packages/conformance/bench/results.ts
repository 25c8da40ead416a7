/**
 * `pnpm bench` keeps its numbers in bench/results.json, one section per bench script, so the
 * docs' benchmarks page can plot them (`pnpm --filter @legosim/docs benchmarks`). Each script
 * replaces only its own section; the file also says which machine and Node ran each one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured number: `runner` (legosim, qemu-x86_64, native, iced-x86...) on `bench`. */
export interface BenchResult {
  bench: string;
  runner: string;
  value: number;
  /** e.g. "M instructions/s", "round trips/s", "%" */
  unit: string;
  /** Whether larger values are better (throughput) or smaller (slowdown, bytes). */
  better: 'higher' | 'lower';
  /** The target for this number, when it has one. */
  target?: number;
  note?: string;
}

export interface BenchSection {
  machine: string;
  node: string;
  date: string;
  results: BenchResult[];
}

export const RESULTS_FILE: string = join(dirname(fileURLToPath(import.meta.url)), 'results.json');

/** Replaces `section` of bench/results.json with these results. */
export function recordResults(section: string, results: BenchResult[]): void {
  let all: Record<string, BenchSection> = {};
  try {
    all = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, BenchSection>;
  } catch {
    // first run: no file yet
  }
  all[section] = {
    machine: `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`,
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    results,
  };
  const ordered = Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]]));
  writeFileSync(RESULTS_FILE, `${JSON.stringify(ordered, null, 2)}\n`);
  console.log(`bench: ${results.length} results written to ${RESULTS_FILE} (section ${section})`);
}
