// A clock tests and the scenario runner move by hand, so lock expiry, scheduled messages and duplicate
// windows can be exercised without sleeping.

export interface ManualClock {
  /** Pass this as the broker's clock. */
  readonly now: () => number;
  advance(ms: number): void;
  set(epochMs: number): void;
}

export function manualClock(startEpochMs: number = Date.UTC(2025, 0, 1)): ManualClock {
  let current = startEpochMs;
  return {
    now: () => current,
    advance(ms: number) {
      if (ms < 0) throw new RangeError('a clock does not go back');
      current += ms;
    },
    set(epochMs: number) {
      if (epochMs < current) throw new RangeError('a clock does not go back');
      current = epochMs;
    },
  };
}
