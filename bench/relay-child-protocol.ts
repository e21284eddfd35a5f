// What the member-throughput benchmark and its relay child process exchange: the input file, the password's
// environment variable and the result line on stdout.
import { z } from 'zod';

export const BIND_PASSWORD_ENV = 'WRITEBACK_BENCH_BIND_PASSWORD';
export const RESULT_PREFIX = 'BENCH-RESULT ';

export const childInputSchema = z
  .object({
    url: z.string(),
    tlsServerName: z.string(),
    caFile: z.string(),
    bindDn: z.string(),
    writebackOu: z.string(),
    tenantId: z.string(),
    groupId: z.string(),
    kind: z.enum(['snapshot', 'upsert']),
    chunkSize: z.number().int().positive(),
    members: z.array(z.object({ cloudId: z.string(), sid: z.string() }).strict()),
    timeoutMs: z.number().int().positive(),
    /** The DC's process on this machine, for its scheduler statistics (bench/dc-schedstat.ts); null if unknown. */
    dcPid: z.number().int().positive().nullable(),
  })
  .strict();
export type ChildInput = z.infer<typeof childInputSchema>;

export const ldapOpSchema = z.object({ count: z.number(), ms: z.number() });
export const dcSchedSchema = z.object({ busyMs: z.number(), cpuWaitMs: z.number() }).strict();
export const childOutputSchema = z
  .object({
    ms: z.number(),
    /** CPU time (user + system) the relay process used while the group was written. */
    cpuMs: z.number(),
    messages: z.number(),
    membersAdded: z.number(),
    memberErrors: z.number(),
    outcomes: z.record(z.string(), z.number()),
    groupDn: z.string().nullable(),
    /** RSS / heap before the first enqueue (relay started and connected, messages built). */
    baseRss: z.number(),
    baseHeap: z.number(),
    /** Highest sampled RSS / heap while the group was written. */
    peakRss: z.number(),
    peakHeap: z.number(),
    /** The process's maximum resident set size over its whole life (getrusage). */
    maxRss: z.number(),
    ldap: z.record(z.string(), ldapOpSchema),
    /** First enqueue -> the relay's first LDAP request for the group (queue, message checks). */
    leadMs: z.number().nullable(),
    /** The relay's last LDAP response -> the last result received (settling, results over the queue). */
    tailMs: z.number().nullable(),
    /** How the DC spent the measured time (bench/dc-schedstat.ts). */
    dc: dcSchedSchema.nullable(),
  })
  .strict();
export type ChildOutput = z.infer<typeof childOutputSchema>;
