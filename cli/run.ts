// gwb's dispatcher: finds the command on the line, prints help, parses the command's options, runs it and
// turns what went wrong into an exit code (2 usage, 1 problems) with a message, never a stack trace.
import { COMMANDS } from './commands/index.js';
import type { Command } from './command.js';
import { CliError, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, GLOBAL_HELP, GLOBAL_OPTIONS, UsageError, flagOption, parseLine } from './command-line.js';
import { commandContext } from './context.js';
import type { Terminal } from './terminal.js';

export const USAGE = [
  'usage: gwb <command> [arguments] [options]',
  '',
  'The group writeback admin command line: status, approvals, resyncs and settings over the admin API of the',
  'Function App, signed in as you (docs/admin.md).',
  '',
  'commands:',
  ...COMMANDS.map((c) => `  ${c.name.padEnd(14)}${c.summary}`),
  '',
  'gwb <command> --help shows a command with an example.',
  '',
  GLOBAL_HELP,
].join('\n');

const VALUE_OPTIONS = new Set(Object.entries(GLOBAL_OPTIONS).filter(([, o]) => o.type === 'string').map(([name]) => `--${name}`));

/** Where the command's name is: the first word that is neither an option nor a global option's value. */
function commandIndex(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return -1;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return i;
  }
  return -1;
}

export async function run(args: readonly string[], term: Terminal): Promise<number> {
  try {
    return await dispatch(args, term);
  } catch (error) {
    if (error instanceof UsageError) {
      term.err(error.message);
      term.err(error.usage);
      return EXIT_USAGE;
    }
    if (error instanceof CliError) {
      term.err(`gwb: ${error.message}`);
      return EXIT_PROBLEMS;
    }
    term.err(`gwb: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_PROBLEMS;
  }
}

async function dispatch(args: readonly string[], term: Terminal): Promise<number> {
  const at = commandIndex(args);
  const rest = [...args.slice(0, Math.max(at, 0)), ...args.slice(at + 1)];
  const name = at < 0 ? undefined : args[at];
  if (name === undefined || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest.find((a) => !a.startsWith('-'))) : undefined;
    const line = parseLine(name === 'help' ? rest.filter((a) => a.startsWith('-')) : rest, {}, USAGE);
    if (flagOption(line, 'help') || name === 'help') {
      term.out(topic?.usage ?? USAGE);
      return EXIT_OK;
    }
    throw new UsageError('a command is required', USAGE);
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw new UsageError(`unknown command '${name}'`, USAGE);
  return runCommand(command, rest, term);
}

async function runCommand(command: Command, args: string[], term: Terminal): Promise<number> {
  // Help first, whatever else is on the line: a person asking for it gets it.
  if (args.includes('--help') || args.includes('-h')) {
    term.out(command.usage);
    return EXIT_OK;
  }
  const line = parseLine(args, command.options, command.usage);
  const [min, max] = command.args;
  const n = line.positionals.length;
  if (n < min) throw new UsageError(`${command.name}: ${min === 1 ? 'an argument is' : `${min} arguments are`} missing`, command.usage);
  if (n > max) throw new UsageError(`${command.name}: unexpected argument '${line.positionals[max]}'`, command.usage);
  return command.run(commandContext(term, line, command.usage), line);
}
