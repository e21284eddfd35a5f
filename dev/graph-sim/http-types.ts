// The simulator's request/response model: HTTP requests and $batch inner requests both go through it.
import type { ApiVersion, Json } from './types.js';

export interface SimRequest {
  method: string;
  version: ApiVersion;
  /** Path after the version, starting with "/" and without the query, e.g. "/groups/{id}/members". */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Json | undefined;
  requestId: string;
  /** True for a request inside POST /$batch. */
  inBatch: boolean;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Json;
}

export type Handler = (req: SimRequest, params: Record<string, string>) => Promise<SimResponse> | SimResponse;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/** Minimal router: "/groups/:id/members/:memberId/$ref" style patterns, matched case-insensitively. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const src = path
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          keys.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${src}/?$`, 'i'), keys, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method' | null {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => {
        params[k] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { handler: r.handler, params };
    }
    return pathMatched ? 'method' : null;
  }
}

export function json(status: number, body: Json, headers: Record<string, string> = {}): SimResponse {
  return { status, body, headers };
}

export function noContent(): SimResponse {
  return { status: 204 };
}
