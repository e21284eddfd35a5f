// The relay's one "directory available" gate. A failure saying the DC is away (no DC reachable, connection
// lost, DC busy or unavailable) closes it: workers take no new sessions (messages in hand are retried in
// place, retry-in-place.ts). A probe with exponential backoff, or a message applied again, reopens it. The
// probe backoff starts over only after a message was applied, so a DC that answers the probe but keeps
// failing real work is not hammered.
import type { Logger } from '../../shared/logging.js';
import { backoffDelay, waitFor, type Backoff } from './backoff.js';

export interface DirectoryGateOptions {
  /** Succeeds when a DC answers (connect, bind, a read). */
  probe: () => Promise<void>;
  backoff: Backoff;
  log: Logger;
  now?: () => number;
}

/** One closing of the gate: since when, and its opening. */
interface Closing {
  since: number;
  opened: Promise<void>;
  open: () => void;
}

export class DirectoryGate {
  /** Set while the gate is closed. */
  private closed: Closing | null = null;
  private probeAttempts = 0;
  private readonly stopping = new AbortController();
  private readonly now: () => number;

  constructor(private readonly opts: DirectoryGateOptions) {
    this.now = opts.now ?? Date.now;
  }

  get isOpen(): boolean {
    return this.closed === null;
  }

  /** Closes the gate (if open) and probes until a DC answers. */
  close(cause: string): void {
    if (this.closed !== null || this.stopping.signal.aborted) return;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.closed = { since: this.now(), opened, open };
    this.opts.log.warn({ cause }, 'directory unavailable: no new groups are taken until a DC answers');
    void this.probeUntilOpen(this.closed, cause);
  }

  /** A message was applied: the directory works (the gate opens), the probe backoff starts over. */
  confirm(): void {
    this.probeAttempts = 0;
    this.open();
  }

  /** Resolves when the gate is closed now and opens again (never while it stays open). */
  reopened(): Promise<void> {
    return this.closed?.opened ?? new Promise<void>(() => undefined);
  }

  /** True once the gate is open; false when `signal` is aborted first. */
  async whenOpen(signal: AbortSignal): Promise<boolean> {
    while (this.closed !== null && !signal.aborted) {
      await waitFor(this.opts.backoff.maxMs, signal, this.closed.opened);
    }
    return !signal.aborted;
  }

  /** Ends the probe (the relay stops). */
  stop(): void {
    this.stopping.abort();
  }

  private open(): void {
    const closed = this.closed;
    if (closed === null) return;
    this.closed = null;
    this.opts.log.info({ downMs: this.now() - closed.since }, 'directory available again: taking groups');
    closed.open();
  }

  /** Probes until a DC answers, or until this closing is over (a message got through). */
  private async probeUntilOpen(closing: Closing, firstCause: string): Promise<void> {
    let cause = firstCause;
    while (this.closed === closing) {
      this.probeAttempts += 1;
      const delayMs = backoffDelay(this.probeAttempts, this.opts.backoff);
      this.opts.log.info({ attempt: this.probeAttempts, delayMs, cause }, 'directory unavailable: probing again after a delay');
      if (!(await waitFor(delayMs, this.stopping.signal, closing.opened))) return;
      if (this.closed !== closing) return;
      try {
        await this.opts.probe();
      } catch (error) {
        cause = error instanceof Error ? error.message : String(error);
        continue;
      }
      if (this.closed === closing) this.open();
    }
  }
}
