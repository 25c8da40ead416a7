import { UsageError } from './io.js';

export interface OptionSpec {
  /** Takes a value (`--trace FILE`); otherwise a flag. */
  value?: string;
  /** May be given more than once (values collect in an array). */
  repeat?: boolean;
  help: string;
}

export interface Parsed {
  options: Map<string, string | true | string[]>;
  positionals: string[];
}

/**
 * Parses `argv` against the command's options. Options come before the program: the
 * first positional ends option parsing (the guest's own arguments follow untouched), and
 * `--` ends it explicitly. `--name=value` and `--name value` both work.
 */
export function parseArgs(argv: readonly string[], specs: Record<string, OptionSpec>, stopAtPositional: boolean): Parsed {
  const options = new Map<string, string | true | string[]>();
  const positionals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      if (stopAtPositional) {
        i++;
        break;
      }
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq >= 0 ? arg.slice(0, eq) : arg).replace(/^--?/, '');
    const spec = specs[name];
    if (spec === undefined) throw new UsageError(`unknown option ${arg.slice(0, eq >= 0 ? eq : undefined)} (see --help)`);
    let value: string | true = true;
    if (spec.value !== undefined) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`option ${flag(name)} needs a value: ${flag(name)} ${spec.value}`);
        value = next;
        i++;
      }
    } else if (eq >= 0) throw new UsageError(`option ${flag(name)} takes no value`);
    if (spec.repeat) {
      const list = (options.get(name) as string[] | undefined) ?? [];
      list.push(value as string);
      options.set(name, list);
    } else options.set(name, value);
  }
  positionals.push(...argv.slice(i));
  return { options, positionals };
}

/** How an option is written: `-o` for one letter, `--name` otherwise. */
function flag(name: string): string {
  return `${name.length === 1 ? '-' : '--'}${name}`;
}

export function helpTable(specs: Record<string, OptionSpec>): string {
  const rows = Object.entries(specs).map(([name, s]) => [`${flag(name)}${s.value ? ` ${s.value}` : ''}`, s.help] as const);
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`).join('\n');
}

/** A non-negative integer option, with k/M/G suffixes for sizes when `size` is set. */
export function intOption(value: string | true | string[] | undefined, name: string, fallback: number, size = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new UsageError(`option --${name} needs a value`);
  const m = /^(\d+)([kKmMgG]i?[bB]?)?$/.exec(value.trim());
  if (!m || (!size && m[2])) throw new UsageError(`option --${name}: '${value}' is not a ${size ? 'size (e.g. 512M)' : 'whole number'}`);
  const unit = (m[2] ?? '').toLowerCase()[0];
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Number(m[1]) * mult;
}
