// What the accept loop says when Service Bus keeps refusing: a namespace that does not resolve or cannot be
// reached, a sign-in or role that is refused (401/403), a queue that does not exist. Such a cause lasts until
// someone fixes it, so it is logged once when it appears or changes (not at every attempt), with what to
// check, and once more when accepting works again.
import type { Logger } from '../../shared/logging.js';

export interface QueueFailure {
  /** Same key: same cause (the text may differ in tracking ids and times). */
  key: string;
  /** What is wrong and what to check. */
  cause: string;
  /** The error's own message. */
  err: string;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The cause of a failed call on `queue`, in words an operator can act on; `role` is the one the call needs. */
export function describeQueueFailure(error: unknown, queue: string, role = 'Azure Service Bus Data Receiver'): QueueFailure {
  const err = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : 'Error';
  const code = codeOf(error);
  const known = (key: string, cause: string): QueueFailure => ({ key, cause, err });
  if (code === 'UnauthorizedAccess' || /unauthori[sz]ed|forbidden/i.test(err)) {
    return known('unauthorized', `Service Bus refused the relay's identity: it needs the role '${role}' on queue ${queue} (a new role assignment can take minutes to apply)`);
  }
  if (name === 'AuthenticationError' || name === 'CredentialUnavailableError' || name === 'AggregateAuthenticationError') {
    return known('sign-in', 'the relay cannot sign in to Entra ID: check queue.credential (certificate file and its upload, tenantId, clientId)');
  }
  if (name === 'QueueNotFoundError' || code === 'MessagingEntityNotFound') {
    return known('queue-not-found', `queue ${queue} does not exist in the namespace (see queues in the relay config)`);
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(`${code ?? ''} ${err}`)) {
    return known('namespace-not-found', 'the namespace does not resolve: check queue.namespace and DNS');
  }
  if (code === 'ServiceCommunicationProblem' || name === 'TunnelError' || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/.test(`${code ?? ''} ${err}`)) {
    return known('unreachable', 'Service Bus cannot be reached: outbound 5671 (transport amqp) or 443 (transport websockets) and the proxy, if any');
  }
  // Anything else: the message without the numbers that change every time (tracking ids, times).
  return known(`other:${name}:${code ?? ''}:${err.replace(/[0-9a-f]{8}-[0-9a-f-]{27,}|\d+/gi, '#').slice(0, 200)}`, err);
}

/** Shared by the workers: one log line per change of cause, one when the trouble ends. */
export class QueueTrouble {
  private current: QueueFailure | null = null;
  private since = 0;

  constructor(private readonly opts: { queue: string; log: Logger; now?: () => number }) {}

  failed(error: unknown, attempt: number, delayMs: number): void {
    const failure = describeQueueFailure(error, this.opts.queue);
    const fields = { cause: failure.cause, err: failure.err, attempt, delayMs };
    if (this.current?.key === failure.key) {
      this.opts.log.debug(fields, 'cannot accept a session; retrying after a delay');
      return;
    }
    if (this.current === null) this.since = this.now();
    this.current = failure;
    this.opts.log.warn(fields, 'cannot accept a session from Service Bus; retrying with backoff (logged again only when the cause changes)');
  }

  ok(): void {
    if (this.current === null) return;
    this.opts.log.info({ downMs: this.now() - this.since }, 'Service Bus answers again: taking sessions');
    this.current = null;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }
}
