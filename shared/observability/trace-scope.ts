// The trace of the work in progress (one function invocation), kept across awaits with AsyncLocalStorage, the
// mechanism OpenTelemetry's own context uses: every message sent during the work (traced-sender.ts) carries it
// without each use case passing it along. Outside any scope (the relay, tests, start-up) there is none.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceContext } from './trace-context.js';

const scope = new AsyncLocalStorage<TraceContext>();

/** Runs `work` (and everything it awaits or starts) within `trace`. */
export function runInTrace<T>(trace: TraceContext, work: () => T): T {
  return scope.run(trace, work);
}

/** The trace of the work in progress, if any. */
export function currentTrace(): TraceContext | undefined {
  return scope.getStore();
}
