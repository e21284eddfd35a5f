// Admin HTTP API (functions/admin-auth.ts: Writeback.Admin):
//   POST /api/dead-letters/{queue}/{sequenceNumber}/resubmit   sends the dead letter again to its queue under a
//        new messageId and removes it from the dead-letter queue (202); 404 when it is not there. Safe: the relay
//        skips a stale change set. Logic: shared/app/dead-letters/dead-letters.ts.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { APP_QUEUES, resubmitDeadLetter } from '../shared/app/dead-letters/dead-letters.js';
import { deadLetterDeps } from './deadLetters.js';
import { invocationLog, textResponse } from './http-helpers.js';
import { authorize } from './admin-auth.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

const params = z.object({ queue: z.enum(APP_QUEUES), sequenceNumber: z.string().regex(/^\d{1,19}$/) });

export async function resubmit(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const auth = await authorize(request, runtime, 'Writeback.Admin', context);
  if (!auth.ok) return auth.response;
  const parsed = params.safeParse(request.params);
  if (!parsed.success) return textResponse(400, `route: /api/dead-letters/{${APP_QUEUES.join('|')}}/{sequenceNumber}/resubmit`);
  const log = invocationLog(runtime.log, context);
  const { queue, sequenceNumber } = parsed.data;
  const done = await resubmitDeadLetter(deadLetterDeps(runtime), queue, BigInt(sequenceNumber)).catch((err: unknown) => {
    log.error({ err, queue, sequenceNumber }, 'dead letter not resubmitted');
    return 'failed' as const;
  });
  if (done === 'failed') return textResponse(503, 'not resubmitted; retry');
  if (done === null) return textResponse(404, 'no such dead letter in this queue');
  log.info({ ...done, by: auth.principal.upn ?? auth.principal.oid }, 'dead letter resubmitted');
  return { status: 202, jsonBody: done };
}

export const resubmitDeadLetterFunction: HttpFunctionDefinition = {
  name: 'resubmitDeadLetter',
  trigger: { type: 'http', route: 'dead-letters/{queue}/{sequenceNumber}/resubmit', methods: ['POST'], authLevel: 'anonymous' },
  handler: resubmit,
};
