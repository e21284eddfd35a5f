// The simulator's notion of "now": a base clock plus an offset the control API can set or advance,
// so tests can age delta tokens and subscriptions without waiting.
export class SimClock {
  private offsetMs = 0;

  constructor(private readonly base: () => Date = () => new Date()) {}

  now(): Date {
    return new Date(this.base().getTime() + this.offsetMs);
  }

  nowMs(): number {
    return this.now().getTime();
  }

  set(to: Date): void {
    this.offsetMs = to.getTime() - this.base().getTime();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
