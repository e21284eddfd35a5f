// Offline checks over the function catalog (what functions/index.ts registers in Azure):
// - no timer runs on start-up: @azure/functions documents `runOnStartup` as something that should rarely if ever
//   be set in production (it runs on every restart and every scale-out), so repairs must not depend on it;
// - the subscriptions timer's default schedule bounds how long a missing Graph subscription stays missing.
import { describe, expect, it } from 'vitest';
import { nextOccurrence, parseSchedule } from '../../dev/host/ncrontab.js';
import { functionDefinitions } from '../../functions/catalog.js';
import { isTimerFunction, resolveSetting } from '../../functions/registry.js';
import { cloudConfigSchema } from '../../shared/config.js';

/** The documented bound (docs/operations.md): a missing subscription is recreated within 5 minutes. */
const SUBSCRIPTION_REPAIR_BOUND_MS = 5 * 60_000;

/** The longest wait between two runs of a schedule over one day. */
function longestGapMs(expression: string): number {
  const schedule = parseSchedule(expression);
  let at = nextOccurrence(schedule, new Date('2026-01-01T00:00:00Z'));
  let longest = 0;
  while (at.getTime() < Date.parse('2026-01-02T00:00:00Z')) {
    const next = nextOccurrence(schedule, at);
    longest = Math.max(longest, next.getTime() - at.getTime());
    at = next;
  }
  return longest;
}

describe('timers in the catalog', () => {
  const timers = functionDefinitions.filter(isTimerFunction);

  it('are found (the check below is not vacuous)', () => {
    expect(timers.map((t) => t.name)).toEqual(expect.arrayContaining(['subscriptions', 'reconcile', 'repairGroups', 'safetyNet']));
  });

  it('never run on start-up', () => {
    expect(timers.filter((t) => t.trigger.runOnStartup === true).map((t) => t.name)).toEqual([]);
  });

  it('the subscriptions timer repairs a missing subscription within the documented bound', () => {
    const subscriptions = timers.find((t) => t.name === 'subscriptions')!;
    const defaults = Object.fromEntries(Object.entries(cloudConfigSchema.shape).map(([key, schema]) => [key, String(schema.safeParse(undefined).data ?? '')]));
    const schedule = resolveSetting(subscriptions.trigger.schedule, defaults);
    expect(longestGapMs(schedule)).toBeLessThanOrEqual(SUBSCRIPTION_REPAIR_BOUND_MS);
  });
});
