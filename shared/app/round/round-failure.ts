// Why a round failed, and whether trying again later can help. planChanges retries a transient failure by
// scheduling a copy of the poke (poke-retry.ts); a poison poke is dead-lettered; a permanent failure is thrown
// as before. Unknown failures count as transient: a round is safe to repeat and the retries back off, while
// dropping a poke leaves its change waiting for the next notification or reconcile. Permanent means a limit
// or invariant of the product itself that the same input breaks on every try.
import { PoisonMessageError } from '../../contracts/poison.js';
import { PlanInputError } from '../../domain/planner.js';
import { BatchTooLargeError, InvalidMessageError, MessageTooLargeError, QueueNotFoundError } from '../../ports/queue.js';
import { ConflictError, InvalidEntityError, TableNotFoundError } from '../../ports/table-store.js';
import { TextTooLargeError } from '../../state/text-chunks.js';

export interface RoundFailure {
  kind: 'poison' | 'permanent' | 'transient';
  /** For the log: what failed, without message contents where a status says enough. */
  cause: string;
}

const PERMANENT: readonly (abstract new (...args: never[]) => Error)[] = [
  PlanInputError,
  TextTooLargeError,
  MessageTooLargeError,
  BatchTooLargeError,
  InvalidMessageError,
  InvalidEntityError,
];

/** Node and undici codes of a connection that failed or timed out. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  statusCode?: unknown;
  cause?: unknown;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err).slice(0, 200);
  return `${err.name}: ${err.message}`.slice(0, 200);
}

/** A network code or a timeout anywhere in the cause chain (fetch wraps the socket error). */
function networkCause(err: unknown): string | null {
  for (let e = err as ErrorShape | null | undefined, depth = 0; e != null && typeof e === 'object' && depth < 5; e = e.cause as ErrorShape, depth++) {
    if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || e.code.startsWith('UND_ERR'))) return `network (${e.code})`;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return `timeout (${e.name})`;
  }
  return null;
}

/** An HTTP answer (Graph client, Azure SDKs): status, the service's error code when it gave one. */
function httpCause(err: unknown): string | null {
  const e = err as ErrorShape | null;
  const status = typeof e?.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : null;
  if (status === null) return null;
  const what = `HTTP ${status}${typeof e?.code === 'string' && e.code !== '' ? ` ${e.code}` : ''}`;
  if (status === 429) return `${what} (throttled)`;
  if (status === 408 || status === 504) return `${what} (timeout)`;
  return status >= 500 ? `${what} (server error)` : what;
}

export function classifyRoundFailure(err: unknown): RoundFailure {
  if (err instanceof PoisonMessageError) return { kind: 'poison', cause: err.reason };
  if (PERMANENT.some((type) => err instanceof type)) return { kind: 'permanent', cause: describe(err) };
  if (err instanceof TableNotFoundError) return { kind: 'transient', cause: `table ${err.table} missing` };
  if (err instanceof ConflictError) return { kind: 'transient', cause: `table conflict (${err.kind})` };
  if (err instanceof QueueNotFoundError) return { kind: 'transient', cause: `queue ${err.queue} missing` };
  const e = err as ErrorShape | null;
  if (e?.name === 'ServiceBusError' && typeof e.code === 'string') return { kind: 'transient', cause: `Service Bus ${e.code}` };
  return { kind: 'transient', cause: httpCause(err) ?? networkCause(err) ?? describe(err) };
}
