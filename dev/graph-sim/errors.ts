// Graph's error envelope {"error":{"code","message","innerError":{...}}} and the codes the simulator uses.
import type { JsonObject } from './types.js';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export function errorBody(code: string, message: string, requestId: string, clientRequestId: string | undefined, now: Date, extraInner: JsonObject = {}): JsonObject {
  const inner: JsonObject = {
    date: now.toISOString().replace(/\.\d{3}Z$/, ''),
    'request-id': requestId,
    'client-request-id': clientRequestId ?? requestId,
    ...extraInner,
  };
  return { error: { code, message, innerError: inner } };
}

export const notFound = (id: string): GraphError =>
  new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

export const badRequest = (message: string, code = 'Request_BadRequest'): GraphError => new GraphError(400, code, message);

export const unsupportedQuery = (message: string): GraphError => new GraphError(400, 'Request_UnsupportedQuery', message);
