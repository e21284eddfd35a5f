// Serves the HTTP-triggered function definitions on loopback, the way the Functions host does: routes under
// /api/, the definition's methods, a real @azure/functions HttpRequest in and HttpResponseInit/HttpResponse out.
// Auth levels: locally function keys are NOT required unless `functionKey` is given; then `function` and
// `admin` routes need it as `x-functions-key` header or `code` query parameter (one key for both levels).
import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequestInit, HttpResponse as HttpResponseType, HttpResponseInit } from '@azure/functions';
import { HttpRequest, HttpResponse, InvocationContext } from './azure-functions-classes.js';
import type { HttpFunctionDefinition } from '../../functions/registry.js';
import type { Logger } from '../../shared/logging.js';
import { streamBody, type StreamedBody } from './request-body.js';
import { compileRoute, type CompiledRoute } from './routes.js';

/** As the Functions host (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT's default): bodies are streamed, handlers cap lower. */
export const LOCAL_MAX_REQUEST_BYTES = 100 * 1024 * 1024;
export const ROUTE_PREFIX = 'api';

export interface HttpHostOptions {
  functions: readonly HttpFunctionDefinition[];
  port: number;
  functionKey?: string | undefined;
  /** Read per request: the host's logger is only known once the runtime exists. */
  log: () => Logger;
  /** Wraps every invocation (activity tracking). */
  track<T>(work: () => Promise<T>): Promise<T>;
  /** Requests wait for this before a handler runs (the runtime may be built after the port is known). */
  ready?: Promise<void>;
}

interface Route {
  def: HttpFunctionDefinition;
  route: CompiledRoute;
}

function sameSecret(a: string, b: string): boolean {
  const h = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/** What @azure/functions' own streaming path (createStreamRequest) passes: a ready Request whose body streams. */
interface StreamingRequestInit extends HttpRequestInit {
  nativeRequest: Request;
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function writeResponse(res: ServerResponse, result: HttpResponseInit | HttpResponseType | undefined): Promise<void> {
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    headers[k] = v;
  });
  res.writeHead(response.status, headers);
  res.end(body);
}

function plain(res: ServerResponse, status: number, text = ''): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

export async function startHttpHost(opts: HttpHostOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const routes: Route[] = opts.functions.map((def) => ({ def, route: compileRoute(def.trigger.route) }));

  const handle = async (req: IncomingMessage, res: ServerResponse, port: number): Promise<void> => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const prefix = `/${ROUTE_PREFIX}/`;
    if (!url.pathname.toLowerCase().startsWith(prefix)) return plain(res, 404);
    const path = url.pathname.slice(prefix.length);
    let found: { def: HttpFunctionDefinition; params: Record<string, string> } | undefined;
    let methodMismatch = false;
    for (const r of routes) {
      let params: Record<string, string> | null;
      try {
        params = r.route.match(path);
      } catch {
        return plain(res, 400, 'bad path encoding');
      }
      if (params === null) continue;
      if (!r.def.trigger.methods.includes((req.method ?? 'GET').toUpperCase() as (typeof r.def.trigger.methods)[number])) {
        methodMismatch = true;
        continue;
      }
      found = { def: r.def, params };
      break;
    }
    if (found === undefined) return plain(res, methodMismatch ? 405 : 404);
    const { def, params } = found;

    if (def.trigger.authLevel !== 'anonymous' && opts.functionKey !== undefined) {
      const given = req.headers['x-functions-key'] ?? url.searchParams.get('code') ?? '';
      if (typeof given !== 'string' || !sameSecret(given, opts.functionKey)) return plain(res, 401);
    }

    const declared = Number(req.headers['content-length'] ?? 'NaN');
    if (declared > LOCAL_MAX_REQUEST_BYTES) return plain(res, 413);
    await opts.ready;
    const method = (req.method ?? 'GET').toUpperCase();
    const body: StreamedBody | undefined = method === 'GET' || method === 'HEAD' ? undefined : streamBody(req, LOCAL_MAX_REQUEST_BYTES);
    const init: StreamingRequestInit = {
      params,
      nativeRequest: new Request(url, {
        method,
        headers: headerRecord(req),
        ...(body === undefined ? {} : { body: body.stream, duplex: 'half' }),
      }),
    };
    const request = new HttpRequest(init);
    const invocationId = randomUUID();
    const log = opts.log().child({ fn: def.name, invocationId });
    const context = new InvocationContext({
      invocationId,
      functionName: def.name,
      logHandler: (level, ...args) => log.info({ level }, args.map(String).join(' ')),
      triggerMetadata: {},
    });
    try {
      const result = await opts.track(() => Promise.resolve(def.handler(request, context)));
      await writeResponse(res, result ?? undefined);
    } catch (err) {
      // Like the Functions host: an unhandled error is a 500 without details (413 when the body hit the limit).
      log.error({ err }, 'http function threw');
      if (!res.headersSent) plain(res, body?.overLimit() === true ? 413 : 500);
      else res.end();
    } finally {
      body?.discardRest();
    }
  };

  const server = createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    handle(req, res, port).catch((err: unknown) => {
      opts.log().error({ err }, 'local host request failed');
      if (!res.headersSent) plain(res, 500);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
