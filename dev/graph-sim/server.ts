// startGraphSimulator: a node:http(s) server speaking the slice of Microsoft Graph group writeback uses,
// plus the control API. One dispatcher serves HTTP requests and $batch inner requests alike.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { silentLogger } from '../../shared/logging.js';
import { sleep } from '../../shared/timers.js';
import { handleBatch } from './batch.js';
import { SimClock } from './clock.js';
import { GraphSimControl, type OnPremDomain } from './control.js';
import { DeliveryQueue, type DeliveryOptions } from './deliveries.js';
import { DEFAULT_DELTA_BEHAVIOR, DeltaEngine } from './delta.js';
import { errorBody, GraphError } from './errors.js';
import { FailureInjector } from './failures.js';
import { GraphRouter } from './graph-router.js';
import { Router, type SimRequest, type SimResponse } from './http-types.js';
import { SimEntra } from './entra.js';
import { GrantedPermissions, INFRA_PERMISSIONS } from './permissions.js';
import { RequestCounter, requestKind } from './request-count.js';
import { DirectoryStore } from './store.js';
import { SubscriptionService, type SubscriptionOptions } from './subscriptions.js';
import { selfSignedCertificate, type TlsMaterial } from './tls.js';
import { controlRoutes } from './routes/control.js';
import { directoryRoutes } from './routes/directory.js';
import { groupRoutes } from './routes/groups.js';
import { settingsRoutes } from './routes/settings.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { userRoutes } from './routes/users.js';
import type { SimContext } from './context.js';
import type { ApiVersion, Json } from './types.js';

export interface GraphSimulatorOptions {
  /** 0 (default) = a free port. */
  port?: number;
  tenantId?: string;
  /** Delta page size in items (group objects + members@delta entries). */
  pageSize?: number;
  clock?: () => Date;
  log?: Logger;
  /** Serve https:// with a generated self-signed certificate (or the given one); see README. */
  tls?: boolean | TlsMaterial;
  /** Answer 401 to Graph calls without "Authorization: Bearer ...". */
  requireAuth?: boolean;
  /** The app's application permissions; a call needing another one gets 403 (default: what infra grants). */
  permissions?: readonly string[];
  /** Verified cloud domain for generated UPNs and mail. */
  domain?: string;
  applicationId?: string;
  onPremDomain?: Partial<OnPremDomain>;
  /** Put deleted security groups in deleted items too (real Entra deletes them permanently). */
  softDeleteSecurityGroups?: boolean;
  delivery?: Partial<DeliveryOptions>;
}

export interface GraphSimulator {
  /** Origin without version, e.g. https://127.0.0.1:41234 (Graph's is https://graph.microsoft.com). */
  readonly baseUrl: string;
  readonly port: number;
  readonly tenantId: string;
  /** PEM of the self-signed certificate when serving https, for clients to trust. */
  readonly caPem: string | null;
  readonly control: GraphSimControl;
  /** Entra's part: the tenant's signing keys and admin tokens for the admin API (entra.ts). */
  readonly entra: SimEntra;
  /** Graph requests served since start (or the last reset), by kind. */
  readonly requests: RequestCounter;
  close(): Promise<void>;
}

const JSON_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const MAX_BODY = 4 * 1024 * 1024;

export async function startGraphSimulator(opts: GraphSimulatorOptions = {}): Promise<GraphSimulator> {
  const log = opts.log ?? silentLogger();
  const tenantId = opts.tenantId ?? randomUUID();
  const clock = new SimClock(opts.clock);
  let baseUrl = '';
  const store = new DirectoryStore(clock, { softDeleteSecurityGroups: opts.softDeleteSecurityGroups ?? false });
  const deliveries = new DeliveryQueue(log, () => clock.now());
  deliveries.options = { ...deliveries.options, ...opts.delivery };
  const subscriptionOptions: SubscriptionOptions = {
    tenantId,
    applicationId: opts.applicationId ?? '00000000-0000-0000-0000-00000000a11d',
    validationTimeoutMs: 10_000,
    maxSubscriptions: 100,
  };
  const subscriptions = new SubscriptionService(subscriptionOptions, clock, deliveries, log);
  store.onGroupEvent((e) => subscriptions.onGroupEvent(e));
  const delta = new DeltaEngine(store, clock, () => baseUrl, { ...DEFAULT_DELTA_BEHAVIOR, pageSize: Math.max(2, opts.pageSize ?? DEFAULT_DELTA_BEHAVIOR.pageSize) });
  const failures = new FailureInjector();
  const permissions = new GrantedPermissions(opts.permissions ?? INFRA_PERMISSIONS);
  const ctx: SimContext = { store, delta, subscriptions, deliveries, failures, permissions, clock, tenantId, domain: opts.domain ?? 'simtenant.onmicrosoft.com', baseUrl: () => baseUrl, log };
  const control = new GraphSimControl(ctx, subscriptionOptions, opts.onPremDomain);
  const entra = new SimEntra(tenantId, () => baseUrl, () => clock.now());

  const graph = new Router();
  const routes = new GraphRouter(graph, permissions, (authorization) => entra.delegatedScopes(authorization));
  groupRoutes(routes, ctx);
  userRoutes(routes, ctx);
  directoryRoutes(routes, ctx);
  settingsRoutes(routes, ctx);
  subscriptionRoutes(routes, ctx);
  const controlRouter = new Router();
  controlRoutes(controlRouter, control);

  const requests = new RequestCounter();
  const dispatch = async (req: SimRequest): Promise<SimResponse> => {
    const target = `${req.method} /${req.version}${req.path}`;
    requests.count(requestKind(req.method, req.version, req.path), req.inBatch);
    for (const d of failures.decide(target, req.inBatch)) {
      if (d.kind === 'delay') await sleep(d.ms);
      else if (d.kind === 'throttle') return throttled(req, d.retryAfterSeconds, clock.now());
      else return failure(req, d.status, d.retryAfterSeconds, clock.now());
    }
    if (!req.inBatch && /^\/\$batch\/?$/i.test(req.path) && req.method === 'POST') return handleBatch(req, dispatch);
    return route(graph, req, clock.now(), log);
  };

  const tls = opts.tls === true ? await selfSignedCertificate() : opts.tls || null;
  const handler = (rq: http.IncomingMessage, rs: http.ServerResponse): void => {
    void serve(rq, rs, { dispatch, controlRouter, entra, clock, log, requireAuth: opts.requireAuth ?? false });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  log.info({ baseUrl, tenantId }, 'graph simulator listening');

  return {
    baseUrl,
    port,
    tenantId,
    caPem: tls ? tls.cert : null,
    control,
    entra,
    requests,
    close: async () => {
      deliveries.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface ServeDeps {
  dispatch: (req: SimRequest) => Promise<SimResponse>;
  controlRouter: Router;
  entra: SimEntra;
  clock: SimClock;
  log: Logger;
  requireAuth: boolean;
}

async function serve(rq: http.IncomingMessage, rs: http.ServerResponse, deps: ServeDeps): Promise<void> {
  const started = Date.now();
  const requestId = randomUUID();
  const clientRequestId = header(rq, 'client-request-id');
  const url = new URL(rq.url ?? '/', 'http://sim');
  const method = (rq.method ?? 'GET').toUpperCase();
  let res: SimResponse;
  try {
    const body = await readBody(rq);
    const headers = Object.fromEntries(Object.entries(rq.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    if (method === 'GET' && deps.entra.servesKeys(url.pathname)) {
      res = { status: 200, body: deps.entra.jwks() as unknown as Json };
    } else if (url.pathname.startsWith('/_control/')) {
      const req: SimRequest = { method, version: 'v1.0', path: url.pathname, query: url.searchParams, headers, body, requestId, inBatch: false };
      res = await route(deps.controlRouter, req, deps.clock.now(), deps.log);
    } else {
      const m = /^\/(v1\.0|beta)(\/.*)?$/.exec(url.pathname);
      if (!m) throw new GraphError(400, 'BadRequest', `Invalid version: '${url.pathname.split('/')[1] ?? ''}'. Use /v1.0 or /beta.`);
      const path = m[2] ?? '/';
      if (/^\/https?:/i.test(path)) {
        // The Graph client only strips https:// hosts from absolute links: an http:// base URL breaks nextLink.
        throw new GraphError(400, 'BadRequest', `An absolute URL was joined to the base URL ('${path}'): serve the simulator over https (tls option) or strip the origin before following @odata links.`);
      }
      if (deps.requireAuth && !/^Bearer \S+/i.test(header(rq, 'authorization') ?? '')) {
        throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
      }
      res = await deps.dispatch({ method, version: m[1] as ApiVersion, path, query: url.searchParams, headers, body, requestId, inBatch: false });
    }
  } catch (err) {
    res = toErrorResponse(err, requestId, deps.clock.now(), deps.log);
  }
  const outHeaders: Record<string, string> = { 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId, ...(res.headers ?? {}) };
  if (res.body !== undefined) outHeaders['content-type'] = JSON_CONTENT_TYPE;
  fillInnerIds(res.body, requestId, clientRequestId);
  rs.writeHead(res.status, outHeaders);
  rs.end(res.body === undefined ? undefined : JSON.stringify(res.body));
  deps.log.debug({ method, path: url.pathname, status: res.status, ms: Date.now() - started }, 'graph-sim request');
}

async function route(router: Router, req: SimRequest, now: Date, log: Logger): Promise<SimResponse> {
  try {
    const m = router.match(req.method, req.path);
    if (m === null) {
      const segment = req.path.split('/').filter(Boolean).at(-1) ?? '';
      throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
    }
    if (m === 'method') throw new GraphError(405, 'Request_BadRequest', `The HTTP method '${req.method}' is not allowed for the requested resource.`);
    return await m.handler(req, m.params);
  } catch (err) {
    return toErrorResponse(err, req.requestId, now, log);
  }
}

function toErrorResponse(err: unknown, requestId: string, now: Date, log: Logger): SimResponse {
  if (err instanceof GraphError) {
    return { status: err.status, headers: err.headers, body: errorBody(err.code, err.message, requestId, undefined, now) };
  }
  log.error({ err }, 'graph simulator handler failed');
  return { status: 500, body: errorBody('UnknownError', 'An internal error occurred in the simulator.', requestId, undefined, now) };
}

function throttled(req: SimRequest, retryAfter: number, now: Date): SimResponse {
  return {
    status: 429,
    headers: {
      'Retry-After': String(retryAfter),
      'x-ms-throttle-limit-percentage': '1.0',
      'x-ms-throttle-scope': 'Tenant_Application/ReadWrite/simulated',
      'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
    },
    body: errorBody('TooManyRequests', 'Please retry again later.', req.requestId, undefined, now, { code: '429', message: 'Please retry after', status: '429' }),
  };
}

function failure(req: SimRequest, status: number, retryAfter: number | undefined, now: Date): SimResponse {
  const codes: Record<number, string> = { 500: 'UnknownError', 502: 'BadGateway', 503: 'serviceNotAvailable', 504: 'GatewayTimeout' };
  return {
    status,
    headers: retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {},
    body: errorBody(codes[status] ?? 'UnknownError', 'Injected failure (simulator).', req.requestId, undefined, now),
  };
}

/** The envelope's innerError carries the outer request ids. */
function fillInnerIds(body: Json | undefined, requestId: string, clientRequestId: string | undefined): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const e = body['error'];
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return;
  const inner = e['innerError'];
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return;
  inner['request-id'] = requestId;
  inner['client-request-id'] = clientRequestId ?? requestId;
}

function header(rq: http.IncomingMessage, name: string): string | undefined {
  const v = rq.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readBody(rq: http.IncomingMessage): Promise<Json | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of rq) {
    const b = c as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new GraphError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(b);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
}
