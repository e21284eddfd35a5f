// How gwb reads its command line, the same way for every command (the conventions of dev/command-line.ts):
// --help (-h) prints the usage and exits 0; an unknown option, a missing value or a wrong argument prints
// one line naming it, then the usage, and exits 2. Exit 1 is for problems the command found or met.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

/** A usage problem (exit 2): the message names it, `usage` is the command's. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A problem the command met (exit 1): the message is for the person, one line or a few. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Options every command takes, anywhere on the line. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  audience: { type: 'string' },
  tenant: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export const GLOBAL_HELP = `global options (anywhere on the line):
  --url URL        the Function App, e.g. https://<app>.azurewebsites.net (env GWB_URL)
  --audience URI   the admin API's Application ID URI, to sign in (env GWB_AUDIENCE)
  --tenant ID      the tenant to sign in to (env GWB_TENANT; default: the Azure CLI's)
  --json           print the answer as JSON instead of a table
  -h, --help       the usage of gwb or of a command
exit codes: 0 ok, 1 problems found (failed or held groups, a refused change, an API error), 2 usage`;

export type OptionValue = string | boolean | (string | boolean)[] | undefined;

export interface CommandLine {
  values: Record<string, OptionValue>;
  positionals: string[];
}

function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS_');
}

export function parseLine(args: string[], options: ParseArgsOptionsConfig, usage: string): CommandLine {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (error) {
    // Node's message is one sentence plus advice on '--' quoting; the first sentence names the problem.
    if (isParseArgsError(error)) throw new UsageError(error.message.split('. ')[0] ?? error.message, usage);
    throw error;
  }
}

export function stringOption(line: CommandLine, name: string): string | undefined {
  const v = line.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagOption(line: CommandLine, name: string): boolean {
  return line.values[name] === true;
}

/** A repeatable option whose values may also be comma-separated (--groups a,b --groups c). */
export function listOption(line: CommandLine, name: string): string[] {
  const v = line.values[name];
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all.flatMap((x) => (typeof x === 'string' ? x.split(',') : [])).map((x) => x.trim()).filter((x) => x !== '');
}

/** A whole number option within [min, max]; a usage error otherwise. */
export function numberOption(line: CommandLine, name: string, min: number, max: number, usage: string): number | undefined {
  const raw = stringOption(line, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`, usage);
  return n;
}
