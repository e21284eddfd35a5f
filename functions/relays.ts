// Admin HTTP API: anonymous to the Functions host; callers sign in with Entra ID and need an app role
// (functions/admin-auth.ts: Writeback.Read to look).
//   GET /api/relays?silentAfterSeconds=<n, default 300>   every relay the cloud has heard from (heartbeats on the
//   results queue, shared/state/relays.ts): version, host, DC in use (`dcUrl`), last message, counts, and `silent` when no
//   heartbeat came for longer than the given time (a relay sends one a minute by default).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { RelayRepository } from '../shared/state/relays.js';
import { authorize } from './admin-auth.js';
import { invocationLog, textResponse } from './http-helpers.js';
import type { HttpFunctionDefinition } from './registry.js';
import { getCloudRuntime } from './runtime.js';

const query = z.object({ silentAfterSeconds: z.coerce.number().int().min(30).max(86_400).default(300) });

export async function relays(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runtime = await getCloudRuntime();
  const auth = await authorize(request, runtime, 'Writeback.Read', context);
  if (!auth.ok) return auth.response;
  const q = query.safeParse(Object.fromEntries(request.query.entries()));
  if (!q.success) return textResponse(400, 'query: silentAfterSeconds must be a whole number 30..86400');
  const listed = await new RelayRepository(runtime.tables).list(runtime.now());
  // A relay that never sent a running heartbeat (only `relay --check`) counts as silent.
  const value = listed.map(({ dc, ...r }) => ({ ...r, dcUrl: dc, silent: r.silentForSeconds === null || r.silentForSeconds > q.data.silentAfterSeconds }));
  invocationLog(runtime.log, context).debug({ relays: value.length, silent: value.filter((r) => r.silent).length }, 'relays listed');
  return { status: 200, jsonBody: { silentAfterSeconds: q.data.silentAfterSeconds, value } };
}

export const relaysFunction: HttpFunctionDefinition = {
  name: 'relays',
  trigger: { type: 'http', route: 'relays', methods: ['GET'], authLevel: 'anonymous' },
  handler: relays,
};
