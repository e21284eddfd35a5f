// The CLI's view of its process: environment, the two output streams, whether a person is at the terminal,
// a prompt, and time. Commands receive it, so tests run them in-process against a fake admin API.
import { createInterface } from 'node:readline/promises';

export interface Terminal {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A line of the command's result (stdout). */
  out(line: string): void;
  /** A line for the person (stderr): progress, prompts, problems. */
  err(line: string): void;
  /** Replaces the current stderr line (a progress bar); only when `interactive`. */
  redraw(line: string): void;
  /** stderr is a terminal: a progress bar and a device-code sign-in can be shown. */
  readonly interactive: boolean;
  /** Asks on the terminal; null when stdin or stderr is not a terminal (nobody can answer). */
  ask(question: string): Promise<string | null>;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** How often a command that follows progress asks the API again. */
  readonly pollMs: number;
}

export function processTerminal(): Terminal {
  const interactive = process.stderr.isTTY;
  return {
    env: process.env,
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    redraw: (line) => void process.stderr.write(`\r\x1b[2K${line}`),
    interactive,
    async ask(question) {
      if (!process.stdin.isTTY || !interactive) return null;
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    pollMs: 2000,
  };
}
