// Small HTTP helpers shared by the HTTP-triggered functions.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Logger } from '../shared/logging.js';
import type { NotificationBody } from '../shared/app/intake/notification-body.js';
import type { IntakeOutcome } from '../shared/app/intake/notification-intake.js';
import { validationHandshake } from '../shared/app/intake/notification-intake.js';
import { invocationTrace } from './invocation-scope.js';

/** The body as it arrives (functions/index.ts enables HTTP streams), for the notification intake to scan. */
export function streamedBody(request: HttpRequest): NotificationBody {
  const declared = Number(request.headers.get('content-length') ?? 'NaN');
  return { declaredBytes: Number.isFinite(declared) ? declared : undefined, chunks: bodyChunks(request.body) };
}

/** Yields the stream's chunks; when the consumer stops early the rest of the body is cancelled, not read. */
async function* bodyChunks(body: HttpRequest['body']): AsyncGenerator<Uint8Array> {
  if (body === null) return;
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield asBytes(next.value);
    }
  } finally {
    if (!done) await reader.cancel();
  }
}

function asBytes(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array(value as ArrayBuffer);
}

/** Reads a small body whole, up to `maxBytes`; past it stops reading and returns 'tooLarge' (nothing is parsed). */
export async function readBodyCapped(request: HttpRequest, maxBytes: number): Promise<Uint8Array | 'tooLarge'> {
  const declared = Number(request.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) return 'tooLarge';
  const body = request.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = asBytes(value);
    total += chunk.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return 'tooLarge';
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export type BodyParse<T> = { ok: true; value: T } | { ok: false; status: 400 | 413; reason: string };

/** JSON-decodes a small body read with readBodyCapped; `tooLarge` means the cap was hit. */
export function parseJsonBody(body: Uint8Array | 'tooLarge'): BodyParse<unknown> {
  if (body === 'tooLarge') return { ok: false, status: 413, reason: 'body too large' };
  if (body.byteLength === 0) return { ok: false, status: 400, reason: 'empty body' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, reason: 'body is not UTF-8 JSON' };
  }
}

const plain = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

export function textResponse(status: number, text: string): HttpResponseInit {
  return { status, headers: plain, body: text };
}

/**
 * Graph's validation handshake: `?validationToken=` -> 200 text/plain with exactly the URL-decoded token.
 * Returns null when the request is not a handshake. Only the token is echoed, nothing else of the request.
 * Needs no runtime: Graph abandons the handshake after 10 seconds, so the caller answers it before building
 * one (a cold start's identity token and clients must not make it miss). Logged through the invocation's
 * own logger (the Functions host's, tied to the invocation) for the same reason.
 */
export function handshakeResponse(request: HttpRequest, context: InvocationContext): HttpResponseInit | null {
  const handshake = validationHandshake(request.query.get('validationToken'));
  if (handshake.kind === 'none') return null;
  if (handshake.kind === 'invalid') {
    context.warn(`validation handshake refused: ${handshake.reason}`);
    return textResponse(400, 'invalid validationToken');
  }
  context.info('validation handshake answered');
  return textResponse(200, handshake.token);
}

/** Maps an intake outcome to the HTTP answer. Bodies are short fixed words: nothing from the request. */
export function intakeResponse(outcome: IntakeOutcome): HttpResponseInit {
  switch (outcome.status) {
    case 202:
      return { status: 202 };
    case 401:
      return textResponse(401, 'no notification with a valid clientState');
    case 413:
      return textResponse(413, 'body too large');
    case 400:
      return textResponse(400, 'not a Graph notification collection');
    case 503:
      return { status: 503, headers: { ...plain, 'retry-after': '10' }, body: 'not persisted; retry' };
  }
}

/** The runtime logger with this invocation's identity and trace (every line of the handling carries `traceId`). */
export function invocationLog(log: Logger, context: InvocationContext): Logger {
  return log.child({ fn: context.functionName, invocationId: context.invocationId, traceId: invocationTrace(context).traceId });
}
