// Sends a table request again when writing it hit a closed socket (EPIPE): a keep-alive connection the
// server (Azurite, or a load balancer) closed while the planner was busy. The server got no whole request on
// that socket, so sending it again is safe for every operation, insert included. The SDK's own retries cover
// ECONNRESET and timeouts but not EPIPE; without this a big group's round failed and was retried whole.
import type { TableServiceClientOptions } from '@azure/data-tables';

type AdditionalPolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number];

const ATTEMPTS = 3;

function isBrokenPipe(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth += 1) {
    if ((e as { code?: unknown }).code === 'EPIPE') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export const brokenPipeRetry: AdditionalPolicy = {
  position: 'perCall',
  policy: {
    name: 'brokenPipeRetry',
    async sendRequest(request, next) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await next(request);
        } catch (error) {
          if (attempt >= ATTEMPTS || !isBrokenPipe(error)) throw error;
        }
      }
    },
  },
};
