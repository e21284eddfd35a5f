// Small HTTP helpers shared by the HTTP-triggered functions.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Logger } from '../shared/logging.js';
import type { IntakeOutcome } from '../shared/app/intake/notification-intake.js';
import { validationHandshake } from '../shared/app/intake/notification-intake.js';

/** Reads the body up to `maxBytes`; past it stops reading and returns 'tooLarge' (nothing is parsed). */
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
    const chunk = value instanceof Uint8Array ? value : new Uint8Array(value as ArrayBuffer);
    total += chunk.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return 'tooLarge';
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const plain = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

export function textResponse(status: number, text: string): HttpResponseInit {
  return { status, headers: plain, body: text };
}

/**
 * Graph's validation handshake: `?validationToken=` -> 200 text/plain with exactly the URL-decoded token.
 * Returns null when the request is not a handshake. Only the token is echoed, nothing else of the request.
 */
export function handshakeResponse(request: HttpRequest, log: Logger): HttpResponseInit | null {
  const handshake = validationHandshake(request.query.get('validationToken'));
  if (handshake.kind === 'none') return null;
  if (handshake.kind === 'invalid') {
    log.warn({ reason: handshake.reason }, 'validation handshake refused');
    return textResponse(400, 'invalid validationToken');
  }
  log.info('validation handshake answered');
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

/** The runtime logger with this invocation's identity. */
export function invocationLog(log: Logger, context: InvocationContext): Logger {
  return log.child({ fn: context.functionName, invocationId: context.invocationId });
}
