// Reads a Graph notification body (change or lifecycle) as a stream: each element of `value` is parsed on its
// own and handed to the intake, which keeps only what it needs, so a batch of thousands of notifications never
// sits in memory as text or as one parsed tree. Graph does not document a size for these POSTs and a large
// batch exceeds 1 MiB (docs/operations.md, "Limits and timings"); nothing caps the number of notifications.
import { BodyRefusedError, ValueArrayScanner } from './value-array-scanner.js';

/** One notification above this is not Graph's (the community-seen `members@delta` in resourceData included). */
export const MAX_NOTIFICATION_BYTES = 1024 * 1024;
/** Far above any batch Graph sends; bigger bodies are refused (413) before or while being read. */
export const MAX_NOTIFICATION_BODY_BYTES = 64 * 1024 * 1024;

/** A request body as the HTTP function hands it over: its bytes as they arrive, and Content-Length if sent. */
export interface NotificationBody {
  declaredBytes: number | undefined;
  chunks: AsyncIterable<Uint8Array>;
}

export type BodyRead = { ok: true; count: number } | { ok: false; status: 400 | 413; reason: string };

/**
 * Streams `body` through the scanner, calling `onNotification` with each parsed element of `value` (return
 * false to refuse the body as the wrong shape). Stops reading at the first problem; the caller decides
 * nothing until the whole body was read, so a refused body has no side effect.
 */
export async function readNotifications(body: NotificationBody, onNotification: (element: unknown) => boolean): Promise<BodyRead> {
  if (body.declaredBytes !== undefined && body.declaredBytes > MAX_NOTIFICATION_BODY_BYTES) {
    return { ok: false, status: 413, reason: 'body too large' };
  }
  const scanner = new ValueArrayScanner({ maxElementBytes: MAX_NOTIFICATION_BYTES, maxBodyBytes: MAX_NOTIFICATION_BODY_BYTES }, onNotification);
  try {
    for await (const chunk of body.chunks) scanner.push(chunk);
    const count = scanner.end();
    return count === 0 ? { ok: false, status: 400, reason: 'value is empty' } : { ok: true, count };
  } catch (err) {
    if (err instanceof BodyRefusedError) return { ok: false, status: err.status, reason: err.message };
    throw err;
  }
}
