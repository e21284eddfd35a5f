// The lines `relay --check` prints: one per check, ✓ or ✗ with what was found or what is wrong, and notes
// (–) for what was deliberately not checked. A ✗ makes the exit code 1.
export interface CheckLine {
  ok: boolean;
  /** What was checked, e.g. `ldaps://dc1.corp:636 TLS`. */
  subject: string;
  detail: string;
}

export interface CheckReport {
  ok(subject: string, detail: string): void;
  fail(subject: string, detail: string): void;
  /** Not a check: something skipped on purpose, and why. */
  note(subject: string, detail: string): void;
  readonly lines: readonly CheckLine[];
}

export function checkReport(out: (line: string) => void): CheckReport {
  const lines: CheckLine[] = [];
  const add = (ok: boolean, subject: string, detail: string): void => {
    lines.push({ ok, subject, detail });
    out(`${ok ? '✓' : '✗'} ${subject}: ${detail}`);
  };
  return {
    ok: (subject, detail) => add(true, subject, detail),
    fail: (subject, detail) => add(false, subject, detail),
    note: (subject, detail) => out(`– ${subject}: ${detail}`),
    lines,
  };
}

/** `work`, or a rejection naming `what` after `ms` (a check must not hang on an unreachable peer). */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
