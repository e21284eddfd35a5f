// A queue message that can never be processed (fails its schema, unknown version). Queue-triggered handlers
// throw this instead of a plain error so the host can tell "poison" from "try again":
//  - the local host (dev/host) dead-letters it at once with `reason` / `description`;
//  - in Azure the Node v4 Service Bus trigger cannot settle messages itself (message actions exist only in
//    the preview @azure/functions-extensions-servicebus SDK binding, not adopted), so the throw abandons the
//    message and Service Bus dead-letters it after MaxDeliveryCount deliveries with reason
//    MaxDeliveryCountExceeded. The handler logs the real reason on every delivery (see docs/operations.md).
export class PoisonMessageError extends Error {
  constructor(
    readonly reason: string,
    readonly description: string,
  ) {
    super(`${reason}: ${description}`);
    this.name = 'PoisonMessageError';
  }
}

/** Queue bodies arrive as parsed JSON (Functions host), a JSON string, or bytes; all mean the same. */
export function decodeQueueBody(raw: unknown): unknown {
  let text: string | undefined;
  if (typeof raw === 'string') text = raw;
  else if (raw instanceof Uint8Array) text = new TextDecoder().decode(raw);
  if (text === undefined) return raw;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PoisonMessageError('InvalidJson', 'message body is not JSON');
  }
}

/** Short, safe text for a dead-letter description (schema issues, never values). */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ')
    .slice(0, 1000);
}
