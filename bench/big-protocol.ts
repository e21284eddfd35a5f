// What the big-group benchmark (bench/big.ts) and its two child processes -- the planner (Functions host)
// and the relay -- exchange: input files, commands on stdin and events on stdout, one JSON line each,
// events prefixed so that other output is ignored.
import { z } from 'zod';

export const EVENT_PREFIX = 'BIG-EVENT ';
export const BIND_PASSWORD_ENV = 'WRITEBACK_BENCH_BIND_PASSWORD';

export const plannerInputSchema = z
  .object({
    graphBaseUrl: z.string(),
    tenantId: z.string(),
    /** The simulator's self-signed certificate, trusted by the planner process. */
    simCaFile: z.string(),
    tablesConnectionString: z.string(),
  })
  .strict();
export type PlannerInput = z.infer<typeof plannerInputSchema>;

export const relayInputSchema = z
  .object({
    queueUrl: z.string(),
    url: z.string(),
    tlsServerName: z.string(),
    caFile: z.string(),
    bindDn: z.string(),
    writebackOu: z.string(),
    chunkSize: z.number().int().positive(),
  })
  .strict();
export type RelayInput = z.infer<typeof relayInputSchema>;

export const commandSchema = z.discriminatedUnion('cmd', [
  /** Planner: create the tenant's groups subscription (the subscriptions timer, run now). */
  z.object({ cmd: z.literal('subscribe') }).strict(),
  /** Relay: report when the group's results add up to `members` members added. */
  z.object({ cmd: z.literal('watch'), groupId: z.string(), members: z.number().int().positive() }).strict(),
]);
export type Command = z.infer<typeof commandSchema>;

export const ldapOpsSchema = z.record(z.string(), z.object({ count: z.number(), ms: z.number() }).strict());

export const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), hostUrl: z.string().optional(), queueUrl: z.string().optional() }).strict(),
  z.object({ type: z.literal('subscribed') }).strict(),
  z
    .object({
      type: z.literal('done'),
      /** Epoch ms when the result that completed the group was sent (same clock: one machine). */
      at: z.number(),
      /** Epoch ms when the relay received the group's first message. */
      firstMessageAt: z.number().nullable(),
      results: z.number(),
      membersAdded: z.number(),
      memberErrors: z.number(),
      outcomes: z.record(z.string(), z.number()),
      groupDn: z.string().nullable(),
      ldap: ldapOpsSchema,
      cpuMs: z.number(),
    })
    .strict(),
]);
export type BigEvent = z.infer<typeof eventSchema>;

export function eventLine(event: BigEvent): string {
  return `${EVENT_PREFIX}${JSON.stringify(event)}\n`;
}
