// Lets other groups' requests go before a big group's bulk member work on the one DC connection. Samba
// serves one request at a time, so every request of a small change set would otherwise wait behind one
// bulk modify (~250 ms for 500 values), five requests about a second and more (docs/relay.md, "Big groups
// next to small ones"). A bulk request waits while another request is in flight or ended within `graceMs`
// (the next request of the same change set follows within milliseconds), at most `maxWaitMs`, so a steady
// stream of small changes slows a big group down but cannot stop it. A small change set holds the lane for
// its whole run too (Directory.foreground), so no bulk modify slips in between two of its requests however far
// apart they are: at 250,000 members that would cost it another 0.5-1 s.
import { setTimeout as sleep } from 'node:timers/promises';

export interface BulkLaneOptions {
  graceMs: number;
  maxWaitMs: number;
  now?: () => number;
}

export class BulkLane {
  private active = 0;
  private lastEnd = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(private readonly opts: BulkLaneOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Another group's request (or whole change set) starts. */
  enter(): void {
    this.active += 1;
  }

  /** ... and ends. */
  leave(): void {
    this.active -= 1;
    this.lastEnd = this.now();
  }

  /** Resolves when no other request is in flight or just ended, or after maxWaitMs. */
  async turn(): Promise<void> {
    const { graceMs, maxWaitMs } = this.opts;
    const start = this.now();
    for (;;) {
      const now = this.now();
      const quietFor = now - this.lastEnd;
      if ((this.active === 0 && quietFor >= graceMs) || now - start >= maxWaitMs) return;
      await sleep(Math.max(1, Math.min(graceMs - (this.active === 0 ? quietFor : 0), maxWaitMs - (now - start))));
    }
  }
}
