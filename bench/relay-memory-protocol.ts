// What the relay-memory benchmark and its relay child process exchange: the input file, the lines on
// stdout (ready, then the result), and `stop` on stdin when every result has arrived.
import { z } from 'zod';

export const READY_LINE = 'BENCH-READY';
export const MEMORY_RESULT_PREFIX = 'BENCH-MEMORY ';

export const memoryChildInputSchema = z
  .object({
    url: z.string(),
    tlsServerName: z.string(),
    caFile: z.string(),
    bindDn: z.string(),
    writebackOu: z.string(),
    /** The parent's queue (dev/queue/remote-server.ts): the messages are held there, not in the relay. */
    queueUrl: z.string(),
  })
  .strict();
export type MemoryChildInput = z.infer<typeof memoryChildInputSchema>;

export const memoryChildOutputSchema = z
  .object({
    /** RSS / heap once the relay was started and connected, before any message. */
    baseRss: z.number(),
    baseHeap: z.number(),
    /** Highest sampled RSS / heap until `stop`. */
    peakRss: z.number(),
    peakHeap: z.number(),
    /** The process's maximum resident set size over its whole life (getrusage). */
    maxRss: z.number(),
    cpuMs: z.number(),
    /** `member progress` log lines the relay wrote. */
    progressLines: z.number(),
  })
  .strict();
export type MemoryChildOutput = z.infer<typeof memoryChildOutputSchema>;
