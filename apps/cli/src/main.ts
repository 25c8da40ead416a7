import { DISASM_HELP, disasmCommand } from './commands/disasm.js';
import { EXPLAIN_HELP, explainCommand } from './commands/explain.js';
import { RUN_HELP, runCommand } from './commands/run.js';
import { TRACE_HELP, traceCommand } from './commands/trace.js';
import { type CliIo, EXIT_LEGOSIM_ERROR, UsageError } from './io.js';
import { styleFor } from './style.js';
import { VERSION } from './version.js';

export const HELP: string = `legosim ${VERSION} — an executable model of LegoOS's x86-64 syscall machinery

usage:
  legosim                          the embedded demo: one syscall through entry_SYSCALL_64
  legosim run [options] PROG [ARGS...]
                                   run a static x86-64 Linux program on the modeled machine
  legosim explain [--syscall N] [PROG [ARGS...]]
                                   one syscall, instruction by instruction, with the kernel stack
  legosim trace FILE [--format jsonl|text|strace|summary|chrome|ctf] [-o OUT]
                                   export a trace recorded with run --trace
  legosim disasm [--syntax att|intel] FILE | --hex BYTES
                                   objdump-style disassembly

  legosim COMMAND --help           help for one command (or: legosim help COMMAND)
  legosim --version

Colour: on a terminal only; NO_COLOR=1 turns it off, FORCE_COLOR=1 on. A run on a terminal
shows a progress line on stderr after half a second (run --no-progress hides it).

Exit status: the guest's; 128+N when signal N killed it; 125 when legosim cannot run the
request (bad option, unreadable file, not a static x86-64 ELF).
`;

/**
 * The command line. Returns the exit status; never throws for a user error (those print
 * one `legosim: …` line and return 125).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case undefined:
        io.write(1, 'legosim: no command given, so here is the embedded demo (`legosim --help` lists the commands).\n\n');
        return explainCommand(io, []);
      case 'run':
        return runCommand(io, rest);
      case 'explain':
        return explainCommand(io, rest);
      case 'trace':
        return await traceCommand(io, rest);
      case 'disasm':
        return disasmCommand(io, rest);
      case '--help':
      case '-h':
      case 'help':
        io.write(1, commandHelp(rest[0]));
        return 0;
      case '--version':
      case '-V':
        io.write(1, `legosim ${VERSION}\n`);
        return 0;
      default:
        throw new UsageError(`unknown command '${command}' (commands: run, explain, trace, disasm; see legosim --help)`);
    }
  } catch (e) {
    const style = styleFor(io, 2);
    if (e instanceof UsageError) {
      io.write(2, `${style.red(style.bold('legosim:'))} ${e.message}\n`);
      return EXIT_LEGOSIM_ERROR;
    }
    const err = e as Error;
    io.write(2, `${style.red(style.bold('legosim:'))} internal error: ${err?.message ?? String(e)} (please report this with the command line)\n`);
    return EXIT_LEGOSIM_ERROR;
  }
}

/** `legosim help [COMMAND]`: the command's help, or the overview. */
function commandHelp(command: string | undefined): string {
  switch (command) {
    case 'run':
      return RUN_HELP;
    case 'explain':
      return EXPLAIN_HELP;
    case 'trace':
      return TRACE_HELP;
    case 'disasm':
      return DISASM_HELP;
    case undefined:
      return HELP;
    default:
      throw new UsageError(`help: unknown command '${command}' (commands: run, explain, trace, disasm)`);
  }
}
