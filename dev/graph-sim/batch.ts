// POST /$batch: up to 20 inner requests, outer 200, each inner answered on its own (it may be a 429).
import { z } from 'zod';
import { badRequest } from './errors.js';
import type { SimRequest, SimResponse } from './http-types.js';
import type { Json, JsonObject } from './types.js';

const MAX_REQUESTS = 20;

const batchSchema = z.object({
  requests: z.array(
    z.object({
      id: z.string().min(1),
      method: z.string().min(1),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
      dependsOn: z.array(z.string()).optional(),
    }),
  ),
});

export type InnerDispatch = (req: SimRequest) => Promise<SimResponse>;

export async function handleBatch(req: SimRequest, dispatch: InnerDispatch): Promise<SimResponse> {
  const parsed = batchSchema.safeParse(req.body);
  if (!parsed.success) throw badRequest('Invalid batch payload format.', 'BadRequest');
  const requests = parsed.data.requests;
  if (requests.length === 0) throw badRequest('Invalid batch payload format: no requests.', 'BadRequest');
  if (requests.length > MAX_REQUESTS) throw badRequest(`Number of batch request steps exceeds the maximum of ${MAX_REQUESTS}.`, 'BadRequest');
  const ids = new Set<string>();
  for (const r of requests) {
    if (ids.has(r.id)) throw badRequest(`Batch request contains duplicate request id '${r.id}'.`, 'BadRequest');
    ids.add(r.id);
  }
  const statuses = new Map<string, number>();
  const responses: JsonObject[] = [];
  for (const r of requests) {
    let res: SimResponse;
    const failedDep = (r.dependsOn ?? []).find((d) => !ids.has(d) || !isOk(statuses.get(d)));
    if (failedDep !== undefined) {
      res = { status: 424, body: { error: { code: 'FailedDependency', message: `Dependent request '${failedDep}' failed.` } } };
    } else {
      res = await runInner(req, r, dispatch);
    }
    statuses.set(r.id, res.status);
    const out: JsonObject = { id: r.id, status: res.status, headers: { ...(res.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(res.headers ?? {}) } };
    if (res.body !== undefined) out['body'] = res.body;
    responses.push(out);
  }
  return { status: 200, body: { responses } };
}

function isOk(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

async function runInner(outer: SimRequest, r: z.infer<typeof batchSchema>['requests'][number], dispatch: InnerDispatch): Promise<SimResponse> {
  if (/^https?:/i.test(r.url)) return innerError(400, 'Relative URLs are required in batch requests.');
  const url = new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'http://inner');
  if (/^\/\$batch/i.test(url.pathname)) return innerError(400, 'Nested batch requests are not supported.');
  const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (r.body !== undefined && !(headers['content-type'] ?? '').includes('application/json')) {
    return innerError(400, 'Content-Type header must be set to application/json for a request with a body.');
  }
  return dispatch({
    method: r.method.toUpperCase(),
    version: outer.version,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: r.body as Json | undefined,
    requestId: `${outer.requestId}:${r.id}`,
    inBatch: true,
  });
}

function innerError(status: number, message: string): SimResponse {
  return { status, body: { error: { code: 'BadRequest', message } } };
}
