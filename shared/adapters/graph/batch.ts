// JSON $batch (up to 20 requests): the outer call is retried by the SDK's RetryHandler; inner requests that
// were throttled (429) or hit a transient error (503/504) are retried here, honouring their Retry-After.
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { sleep } from '../../timers.js';

export const MAX_BATCH_REQUESTS = 20;
const MAX_ATTEMPTS = 5;
const MAX_WAIT_SECONDS = 60;

export interface BatchGet {
  id: string;
  /** Relative to the version, e.g. /groups/{id}?$select=... */
  url: string;
}

export interface BatchAnswer {
  status: number;
  body: unknown;
}

const batchResponseSchema = z.looseObject({
  responses: z.array(
    z.looseObject({
      id: z.string(),
      status: z.number(),
      headers: z.record(z.string(), z.string()).nullish(),
      body: z.unknown().optional(),
    }),
  ),
});

const TRANSIENT = new Set([429, 503, 504]);

function retryAfterSeconds(headers: Record<string, string> | null | undefined, attempt: number): number {
  const raw = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const given = raw === undefined ? Number.NaN : Number(raw);
  const seconds = Number.isFinite(given) && given >= 0 ? given : 2 ** attempt;
  return Math.min(seconds, MAX_WAIT_SECONDS);
}

/** GETs in one $batch call per 20; answers by request id. Transient inner failures are retried. */
export async function batchGet(client: Client, version: 'v1.0' | 'beta', requests: readonly BatchGet[]): Promise<Map<string, BatchAnswer>> {
  if (requests.length > MAX_BATCH_REQUESTS) throw new Error(`a $batch holds at most ${MAX_BATCH_REQUESTS} requests`);
  const answers = new Map<string, BatchAnswer>();
  let pending = [...requests];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const raw: unknown = await client
      .api('/$batch')
      .version(version)
      .post({ requests: pending.map((r) => ({ id: r.id, method: 'GET', url: r.url })) });
    const parsed = batchResponseSchema.parse(raw);
    const retry: BatchGet[] = [];
    let wait = 0;
    for (const r of pending) {
      const answer = parsed.responses.find((x) => x.id === r.id);
      if (answer === undefined) throw new Error(`$batch answered without request ${r.id}`);
      if (TRANSIENT.has(answer.status) && attempt < MAX_ATTEMPTS) {
        retry.push(r);
        wait = Math.max(wait, retryAfterSeconds(answer.headers, attempt));
        continue;
      }
      answers.set(r.id, { status: answer.status, body: answer.body });
    }
    pending = retry;
    if (pending.length > 0) await sleep(wait * 1000);
  }
  return answers;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
