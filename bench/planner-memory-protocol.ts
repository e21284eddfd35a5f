// What the planner-memory benchmark and its planner child process exchange: the input (argv JSON), the
// "ready" line the child prints once its token round is done, and the result line on stdout.
import { z } from 'zod';

export const READY_LINE = 'BENCH-READY';
export const RESULT_PREFIX = 'BENCH-RESULT ';

export const plannerChildInputSchema = z
  .object({
    graphBaseUrl: z.string(),
    tenantId: z.string(),
    tableConnectionString: z.string(),
    queueUrl: z.string(),
    groupId: z.string(),
    members: z.number().int().positive(),
  })
  .strict();
export type PlannerChildInput = z.infer<typeof plannerChildInputSchema>;

const countSchema = z.record(z.string(), z.number());

export const phaseSchema = z
  .object({
    name: z.string(),
    ms: z.number(),
    cpuMs: z.number(),
    /** RSS / heap after a forced GC before the phase; highest sampled during it. */
    baseRss: z.number(),
    baseHeap: z.number(),
    peakRss: z.number(),
    peakHeap: z.number(),
    /** HTTP calls to Graph by kind, and the requests inside `$batch` calls by kind. */
    graphCalls: countSchema,
    batchedRequests: countSchema,
    /** Table operations by table and operation. */
    tableOps: countSchema,
    messages: z.number(),
    messageBytes: z.number(),
    messagesByKind: countSchema,
  })
  .strict();
export type PlannerPhase = z.infer<typeof phaseSchema>;

export const plannerChildOutputSchema = z
  .object({
    phases: z.array(phaseSchema),
    /** getrusage's maximum RSS over the child's life (includes tsx start-up). */
    maxRss: z.number(),
  })
  .strict();
export type PlannerChildOutput = z.infer<typeof plannerChildOutputSchema>;
