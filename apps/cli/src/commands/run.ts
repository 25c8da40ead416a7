import { type CpuCounters, ExecFormatError, Kernel, KernelPanic, type KernelOptions, MAX_CPUS, MountError, type MountSpec, type RunResult } from '@legosim/kernel';
import { BinaryTraceWriter, type TraceSink } from '@legosim/trace';
import { helpTable, intOption, type OptionSpec, parseArgs } from '../args.js';
import { type CliIo, UsageError } from '../io.js';
import { ProgressLine } from '../progress.js';
import { VERSION } from '../version.js';

export const RUN_OPTIONS: Record<string, OptionSpec> = {
  strace: { help: 'print each syscall on stderr, strace style' },
  trace: { value: 'FILE', help: 'record a binary trace (read it with `legosim trace FILE`)' },
  'trace-instructions': { help: 'with --trace: also record every retired instruction (slow; for explain views)' },
  stats: { help: 'print counters at exit as a table on stderr (instructions, MIPS, syscalls, TLB)' },
  json: { help: 'print the result and the same counters as one JSON object on stderr at exit (for scripts)' },
  'no-progress': { help: 'no progress line (shown on a terminal after half a second of running)' },
  'lego-table-only': { help: "dispatch only Lego's 111 syscalls; others reach sys_ni_syscall" },
  'max-instructions': { value: 'N', help: 'stop the guest after N instructions (exit 137)' },
  memory: { value: 'SIZE', help: 'physical memory of the machine (default 256M)' },
  'timer-hz': { value: 'N', help: 'APIC timer frequency, Lego HZ (default 100; 0 = off)' },
  cpus: { value: 'N', help: 'number of CPUs, 1 to 32 (default 1); each has its own APIC, TLB, per-CPU area and idle task' },
  inject: { value: 'irqs-off:NAME', repeat: true, help: 'make syscall NAME return with IRQs disabled (shows the WARN)' },
  seed: { value: 'N', help: 'seed of the guest random generator (default 1)' },
  'no-translate': { help: 'run every instruction through the interpreter, no translation blocks (slower; same results and traces)' },
  mount: {
    value: 'HOST:GUEST[:ro]',
    repeat: true,
    help: 'show host directory HOST to the guest at GUEST (read-only with :ro); the guest sees nothing else of the host',
  },
  help: { help: 'show this help' },
};

export const RUN_HELP: string = `usage: legosim run [options] PROG [ARGS...]

Runs a static x86-64 Linux executable on the modeled machine. Every syscall enters the
Lego kernel through entry_SYSCALL_64, executed as x86 instructions on a real kernel stack.
The guest's stdin, stdout and stderr are legosim's; its exit status is legosim's
(128+N when signal N killed it; 125 when legosim cannot run the request).

options:
${helpTable(RUN_OPTIONS)}
`;

export interface RunRequest {
  program: string;
  args: string[];
  options: Map<string, string | true | string[]>;
}

export function parseRun(argv: readonly string[]): RunRequest | 'help' {
  const { options, positionals } = parseArgs(argv, RUN_OPTIONS, true);
  if (options.has('help')) return 'help';
  const [program, ...args] = positionals;
  if (program === undefined) throw new UsageError('legosim run: missing PROG (usage: legosim run [options] PROG [ARGS...])');
  return { program, args, options };
}

/**
 * Builds the kernel options shared by `run` and `explain`. The kernel's console and --strace
 * lines go to `write` (stderr by default; `run` passes its progress line's writer).
 */
export function kernelOptions(
  io: CliIo,
  options: Map<string, string | true | string[]>,
  write: (fd: 1 | 2, data: string) => void = (fd, data) => io.write(fd, data),
): Omit<KernelOptions, 'host'> {
  const cpus = intOption(options.get('cpus'), 'cpus', 1);
  if (cpus < 1 || cpus > MAX_CPUS) throw new UsageError(`--cpus ${cpus}: the machine has 1 to ${MAX_CPUS} CPUs`);
  const out: Omit<KernelOptions, 'host'> = {
    cpus,
    console: (line) => write(2, `${line}\n`),
    memory: intOption(options.get('memory'), 'memory', 256 * 1024 * 1024, true),
    timerHz: intOption(options.get('timer-hz'), 'timer-hz', 100),
    legoTableOnly: options.has('lego-table-only'),
    seed: intOption(options.get('seed'), 'seed', 1),
  };
  if (out.memory! < 32 * 1024 * 1024 || out.memory! % 4096 !== 0) throw new UsageError('--memory must be a multiple of 4K and at least 32M');
  if (options.has('no-translate')) out.translate = false;
  if (options.has('max-instructions')) out.maxInstructions = intOption(options.get('max-instructions'), 'max-instructions', 0);
  const inject = (options.get('inject') as string[] | undefined) ?? [];
  const names: string[] = [];
  for (const spec of inject) {
    const m = /^irqs-off:([a-z0-9_]+)$/.exec(spec);
    if (!m) throw new UsageError(`--inject ${spec}: expected irqs-off:NAME (e.g. irqs-off:getpid)`);
    names.push(m[1]!);
  }
  if (names.length > 0) out.injectIrqsOff = names;
  if (options.has('strace')) out.strace = (line) => write(2, `${line}\n`);
  const mounts = ((options.get('mount') as string[] | undefined) ?? []).map((spec) => parseMount(io, spec));
  if (mounts.length > 0) {
    if (!io.hostFs) throw new UsageError('--mount: this host has no file system to mount');
    out.mounts = mounts;
    out.hostFs = io.hostFs;
  }
  return out;
}

/** `HOST:GUEST[:ro|:rw]`, HOST made absolute (the kernel only ever sees paths under it). */
function parseMount(io: CliIo, spec: string): MountSpec {
  let rest = spec;
  let readOnly = false;
  if (rest.endsWith(':ro') || rest.endsWith(':rw')) {
    readOnly = rest.endsWith(':ro');
    rest = rest.slice(0, -3);
  }
  const colon = rest.lastIndexOf(':');
  const host = rest.slice(0, colon);
  const guest = rest.slice(colon + 1);
  if (colon <= 0 || !guest.startsWith('/')) {
    throw new UsageError(`--mount ${spec}: expected HOST:GUEST[:ro] with an absolute GUEST path (e.g. --mount .:/work:ro)`);
  }
  let real: string;
  try {
    real = io.realPath(host);
  } catch {
    throw new UsageError(`--mount ${spec}: ${host} does not exist`);
  }
  return { host: real, guest, readOnly };
}

export function readProgram(io: CliIo, path: string): Uint8Array {
  try {
    return io.readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`cannot read ${path}: ${why}`);
  }
}

export function runCommand(io: CliIo, argv: readonly string[]): number {
  const req = parseRun(argv);
  if (req === 'help') {
    io.write(1, RUN_HELP);
    return 0;
  }
  // everything printed during the run goes through the progress line, which steps aside for it
  let progress: ProgressLine | undefined;
  const write = (fd: 1 | 2, data: Uint8Array | string): void => (progress ? progress.write(fd, data) : io.write(fd, data));
  const options = kernelOptions(io, req.options, write);
  const image = readProgram(io, req.program);
  let traceFile: { write(chunk: Uint8Array | string): void; close(): void } | undefined;
  let writer: BinaryTraceWriter | undefined;
  const tracePath = req.options.get('trace');
  if (typeof tracePath === 'string') {
    traceFile = io.createFile(tracePath);
    const file = traceFile;
    // `write` is done with a chunk when it returns (CliIo), so the writer may lend its buffer
    writer = new BinaryTraceWriter((chunk) => file.write(chunk), {
      chunks: 'view',
      header: {
        producer: `legosim ${VERSION}`,
        program: req.program,
        argv: [req.program, ...req.args],
        seed: options.seed ?? 1,
        machine: { cpus: options.cpus ?? 1, memory: options.memory, timerHz: options.timerHz },
        options: { legoTableOnly: options.legoTableOnly ?? false, traceInstructions: req.options.has('trace-instructions') },
      },
    });
    options.trace = writer as TraceSink;
    options.traceInstructions = req.options.has('trace-instructions');
  } else if (req.options.has('trace-instructions')) {
    throw new UsageError('--trace-instructions records into a trace: give the file with --trace FILE');
  }
  let kernel: Kernel;
  try {
    kernel = new Kernel({
      ...options,
      host: { write: (fd, data) => write(fd === 2 ? 2 : 1, data), read: (_fd, max) => io.readStdin(max) },
    });
  } catch (e) {
    if (e instanceof MountError) throw new UsageError(`--mount: ${e.message}`);
    throw e;
  }
  const started = io.now();
  let result: RunResult;
  try {
    try {
      kernel.exec(image, [req.program, ...req.args], [], io.realPath(req.program));
    } catch (e) {
      if (e instanceof ExecFormatError) throw new UsageError(`${req.program}: ${e.message}`);
      throw e;
    }
    const machine = kernel;
    progress = new ProgressLine(io, { instructions: () => machine.instructions(), simulatedNs: () => machine.now() }, io.isTty(2) && !req.options.has('no-progress'));
    const line = progress;
    result = kernel.run(line.enabled ? () => line.tick() : undefined);
  } catch (e) {
    if (e instanceof KernelPanic) {
      io.write(2, `legosim: kernel panic: ${e.message}\n`);
      return 125;
    }
    throw e;
  } finally {
    progress?.done();
    writer?.close();
    traceFile?.close();
  }
  const wallMs = io.now() - started;
  if (req.options.has('stats')) printStats(io, kernel, result, wallMs);
  if (req.options.has('json')) io.write(2, `${JSON.stringify(resultJson(kernel, result, wallMs))}\n`);
  if (result.reason !== undefined) io.write(2, `legosim: ${result.reason}\n`);
  return result.status;
}

/** `--json`: the run's result and counters, snake_case keys, numbers as numbers. */
function resultJson(kernel: Kernel, r: RunResult, ms: number): Record<string, unknown> {
  const mmu = mmuCounters(kernel);
  const counters = kernel.cpuCounters();
  return {
    status: r.status,
    signal: r.signal,
    reason: r.reason ?? null,
    instructions: r.instructions,
    user_instructions: r.userInstructions,
    syscalls: r.syscalls,
    simulated_ns: r.simulatedNs,
    wall_ms: Math.round(ms * 10) / 10,
    mips: ms > 0 ? Math.round((r.instructions / ms / 1000) * 100) / 100 : null,
    tlb_hits: mmu.tlbHits,
    tlb_misses: mmu.tlbMisses,
    page_walks: mmu.pageWalks,
    tlb_flushes: mmu.flushes,
    translated_instructions: sum(counters, (c) => c.translatedInstructions),
    translation_blocks: sum(counters, (c) => c.translationBlocks),
    cpus: counters.map((c) => ({
      instructions: c.instructions,
      user_instructions: c.userInstructions,
      halted_ns: c.haltedNs,
      translated_instructions: c.translatedInstructions,
    })),
  };
}

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  let n = 0;
  for (const item of items) n += f(item);
  return n;
}

/** The TLB counters, summed over the CPUs' MMUs. */
function mmuCounters(kernel: Kernel): { tlbHits: number; tlbMisses: number; pageWalks: number; flushes: number } {
  const sum = { tlbHits: 0, tlbMisses: 0, pageWalks: 0, flushes: 0 };
  for (const m of kernel.mmus) {
    sum.tlbHits += m.tlbHits;
    sum.tlbMisses += m.tlbMisses;
    sum.pageWalks += m.pageWalks;
    sum.flushes += m.flushes;
  }
  return sum;
}

/** How much of the run was compiled guest code: "97.3% (412 blocks)". */
function translatedShare(counters: readonly CpuCounters[], instructions: number): string {
  const translated = sum(counters, (c) => c.translatedInstructions);
  const blocks = sum(counters, (c) => c.translationBlocks);
  const share = instructions > 0 ? (100 * translated) / instructions : 0;
  return `${share.toFixed(1)}% (${blocks.toLocaleString('en-US')} blocks)`;
}

function printStats(io: CliIo, kernel: Kernel, r: RunResult, ms: number): void {
  const mmu = mmuCounters(kernel);
  const counters = kernel.cpuCounters();
  const rows: [string, string][] = [
    ['instructions', r.instructions.toLocaleString('en-US')],
    ['  in user mode', r.userInstructions.toLocaleString('en-US')],
    // on several CPUs, each CPU's share and the simulated time it spent halted
    ...(kernel.cpus.length > 1
      ? counters.map((c, id): [string, string] => [
          `  on CPU ${id}`,
          `${c.instructions.toLocaleString('en-US')} (${(c.haltedNs / 1e6).toFixed(3)} ms halted)`,
        ])
      : []),
    ['  in translation blocks', translatedShare(counters, r.instructions)],
    ['wall time', `${ms.toFixed(1)} ms`],
    ['MIPS', ms > 0 ? (r.instructions / ms / 1000).toFixed(2) : '-'],
    ['simulated time', `${(r.simulatedNs / 1e6).toFixed(3)} ms`],
    ['syscalls', String(r.syscalls)],
    ['TLB hits', String(mmu.tlbHits)],
    ['TLB misses', String(mmu.tlbMisses)],
    ['page walks', String(mmu.pageWalks)],
    ['TLB flushes', String(mmu.flushes)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  io.write(2, `${rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')}\n`);
}
