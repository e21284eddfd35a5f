// Command-line parsing for the dev and bench commands, the same way for each: --help (-h) prints the usage
// and exits 0; an unknown option or a missing value prints one line naming it, then the usage, and exits 2
// (no stack trace). Call it first, before the command starts anything.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type CommandLine<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/** Exits for a usage problem: prints `problem` (when given) and the usage to stderr, exit code 2. */
export function exitWithUsage(usage: string, problem?: string): never {
  if (problem !== undefined) console.error(problem);
  console.error(usage);
  process.exit(2);
}

function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS_');
}

export function parseCommandLine<T extends ParseArgsConfig>(usage: string, config: T, args = process.argv.slice(2)): CommandLine<T> {
  // Help first, whatever else is on the line: a person asking for it gets it (strict: false accepts the rest).
  const help = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } }, strict: false, allowPositionals: true });
  if (help.values.help === true) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parseArgs<T>({ ...config, args });
  } catch (error) {
    // Node's message is one sentence plus advice on '--' quoting; the first sentence names the problem.
    if (isParseArgsError(error)) exitWithUsage(usage, error.message.split('. ')[0]);
    throw error;
  }
}
