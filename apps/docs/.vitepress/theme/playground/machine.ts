import { readTrace } from '@legosim/trace';
import { buildDemoProgram, DEMO_SOURCE, main, memoryIo } from 'legosim/browser';
import { type ExplainSteps, explainSteps } from './explain-steps.js';
import { type Timeline, timelineOf } from './timeline.js';

/*
 * What the playground does with a program, as plain functions of bytes in and data out, so
 * the same code runs in the page's Web Worker and in a Node test. Every result comes from
 * the legosim command line itself (`legosim/browser`'s `main` over an in-memory host): the
 * output of `legosim run`, the strace of `legosim trace --format strace`, the text of
 * `legosim explain`; the page only adds the per-step pictures (explain-steps.ts).
 */

/** The instruction cap of a playground run unless the page asks for another. */
export const DEFAULT_MAX_INSTRUCTIONS = 50_000_000;

/** A program the page offers without an upload. */
export interface BundledProgram {
  id: string;
  title: string;
  /** What it is, for the page. */
  description: string;
  source: string;
  build(): Uint8Array;
}

/** The embedded demo of `legosim` / `legosim explain`: write, getpid, exit_group. */
export const BUNDLED: readonly BundledProgram[] = [
  {
    id: 'demo',
    title: 'demo (write, getpid, exit_group)',
    description: "legosim's embedded demo, assembled by @legosim/x86 from the source below.",
    source: DEMO_SOURCE,
    build: buildDemoProgram,
  },
];

export interface RunRequest {
  /** The file name the guest sees (argv[0] is `/NAME`). */
  name: string;
  image: Uint8Array;
  /** argv[1..]. */
  args?: readonly string[];
  maxInstructions?: number;
}

export interface RunOutcome {
  /** The command lines the page ran, for display (`legosim run --trace ... /demo`). */
  commands: string[];
  status: number;
  stdout: string;
  stderr: string;
  strace: string;
  timeline: Timeline | undefined;
  explainText: string;
  /** The step-through of the first syscall, or why there is none (a bad ELF, no syscall). */
  explain: ExplainSteps | { error: string };
  wallMs: number;
}

const TRACE = '/playground.trace';

/** Runs a program as `legosim run` would, then explains its first syscall. */
export async function runProgram(req: RunRequest): Promise<RunOutcome> {
  const path = `/${req.name.replace(/[/\s]+/g, '_') || 'program'}`;
  const max = req.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS;
  const started = performance.now();
  const args = req.args ?? [];
  const runArgs = ['run', '--trace', TRACE, '--max-instructions', String(max), path, ...args];
  const run = memoryIo(new Map([[path, req.image]]));
  const status = await main(runArgs, run.io);
  const dec = new TextDecoder();
  const commands = [`legosim ${runArgs.join(' ')}`];

  let strace = '';
  let timeline: Timeline | undefined;
  let syscalls = 0;
  const trace = run.files.get(TRACE);
  if (trace !== undefined) {
    const exported = memoryIo(new Map([[TRACE, trace]]));
    const traceArgs = ['trace', TRACE, '--format', 'strace'];
    commands.push(`legosim ${traceArgs.join(' ')}`);
    strace =
      (await main(traceArgs, exported.io)) === 0
        ? dec.decode(exported.stdout())
        : dec.decode(exported.stderr());
    const events = readTrace(trace).events;
    syscalls = events.filter((e) => e.type === 'syscall_entry').length;
    timeline = timelineOf(events);
  }

  // Explain only a program whose run reached a syscall within the cap: `legosim explain`
  // has no instruction limit and would search forever for a syscall that never comes. The
  // machine is deterministic, so explain reaches the same syscall at the same instruction.
  let explainText = '';
  let explain: RunOutcome['explain'] = {
    error:
      trace === undefined || status === 125
        ? 'the program did not start'
        : 'the program made no syscall within the instruction cap',
  };
  if (syscalls > 0) {
    const ex = memoryIo(new Map([[path, req.image]]));
    const explainArgs = ['explain', path, ...args];
    commands.push(`legosim ${explainArgs.join(' ')}`);
    const ok = (await main(explainArgs, ex.io)) === 0;
    explainText = dec.decode(ex.stdout());
    try {
      explain = ok
        ? explainSteps(req.image, [path, ...args], explainText)
        : { error: dec.decode(ex.stderr()).trim() };
    } catch (e) {
      explain = { error: (e as Error).message };
    }
  }
  return {
    commands,
    status,
    stdout: dec.decode(run.stdout()),
    stderr: dec.decode(run.stderr()),
    strace,
    timeline,
    explainText,
    explain,
    wallMs: performance.now() - started,
  };
}
