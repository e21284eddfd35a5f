// Admin HTTP API (functions/admin-auth.ts: Writeback.Read to look, Writeback.Admin to change):
//   GET  /api/dead-letters?queue=graph-changes|writeback|writeback-results&top=1..1000 (default 100 per queue)
//        the dead letters of the app's queues (all three without `queue`), with reason and description.
// Resubmitting one: functions/resubmitDeadLetter.ts. Logic: shared/app/dead-letters/dead-letters.ts.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { APP_QUEUES, listDeadLetters, type AppQueue, type DeadLetterDeps } from '../shared/app/dead-letters/dead-letters.js';
import { invocationLog, textResponse } from './http-helpers.js';
import { authorize } from './admin-auth.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime, type CloudRuntime } from './runtime.js';

const listQuery = z.object({ queue: z.enum(APP_QUEUES).optional(), top: z.coerce.number().int().min(1).max(1000).default(100) });

/** The app's three queues by their configured names. */
export function deadLetterDeps(runtime: CloudRuntime): DeadLetterDeps {
  const names: Record<AppQueue, string> = {
    'graph-changes': runtime.config.GRAPH_CHANGES_QUEUE,
    writeback: runtime.config.WRITEBACK_QUEUE,
    'writeback-results': runtime.config.WRITEBACK_RESULTS_QUEUE,
  };
  return { queue: runtime.queue, queueName: (q) => names[q], sender: runtime.sender };
}

export async function deadLetters(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const auth = await authorize(request, runtime, 'Writeback.Read', context);
  if (!auth.ok) return auth.response;
  const query = listQuery.safeParse(Object.fromEntries(request.query.entries()));
  if (!query.success) return textResponse(400, `query: queue must be one of ${APP_QUEUES.join(', ')}, top a number 1..1000`);
  const queues = query.data.queue === undefined ? APP_QUEUES : [query.data.queue];
  const value = await listDeadLetters(deadLetterDeps(runtime), queues, query.data.top);
  invocationLog(runtime.log, context).debug({ count: value.length }, 'dead letters listed');
  return { status: 200, jsonBody: { value } };
}

export const deadLettersFunction: HttpFunctionDefinition = {
  name: 'deadLetters',
  trigger: { type: 'http', route: 'dead-letters', methods: ['GET'], authLevel: 'anonymous' },
  handler: deadLetters,
};
