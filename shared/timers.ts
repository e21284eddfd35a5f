// Waiting, for the loops that poll or back off (relay, local stack, Graph batch retries). Outside the
// domain, which has no clock.

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
