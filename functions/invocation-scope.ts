// The scope of one function invocation: its trace (shared/observability) and its InvocationContext, kept across
// awaits. The trace is the queue message's own (`traceparent`, else `Diagnostic-Id`), else the Functions host's
// (context.traceContext: the incoming request's, or the one the host started for a timer), else a new one.
// `traced()` runs a definition's handler within the scope (catalog.ts applies it to every function): every
// message the invocation sends carries the trace, invocationLog() logs it as `traceId`, and in Azure the log
// sink finds the invocation to log through (log-sinks.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { InvocationContext } from '@azure/functions';
import { childOf, newTrace, parseTraceparent, traceFromProperties, type TraceContext } from '../shared/observability/trace-context.js';
import { runInTrace } from '../shared/observability/trace-scope.js';
import {
  isHttpFunction,
  isQueueFunction,
  type FunctionDefinition,
  type HttpFunctionDefinition,
  type ServiceBusQueueFunctionDefinition,
  type TimerFunctionDefinition,
} from './registry.js';

const traces = new WeakMap<InvocationContext, TraceContext>();
const invocations = new AsyncLocalStorage<InvocationContext>();

function messageProperties(context: InvocationContext): Record<string, unknown> | undefined {
  const value = context.triggerMetadata?.['applicationProperties'];
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/** The invocation's trace; the same object for every call with one context. */
export function invocationTrace(context: InvocationContext): TraceContext {
  let trace = traces.get(context);
  if (trace === undefined) {
    const parent = traceFromProperties(messageProperties(context)) ?? parseTraceparent(context.traceContext?.traceParent);
    trace = parent === null ? newTrace() : childOf(parent);
    traces.set(context, trace);
  }
  return trace;
}

/** The invocation in progress, if any. */
export function currentInvocation(): InvocationContext | undefined {
  return invocations.getStore();
}

function inScope<T>(context: InvocationContext, work: () => T): T {
  return invocations.run(context, () => runInTrace(invocationTrace(context), work));
}

/** The definition with its handler run within the invocation's scope. */
export function traced(definition: FunctionDefinition): FunctionDefinition {
  if (isHttpFunction(definition)) {
    const { handler } = definition;
    const http: HttpFunctionDefinition = { ...definition, handler: (request, context) => inScope(context, () => handler(request, context)) };
    return http;
  }
  if (isQueueFunction(definition)) {
    const { handler } = definition;
    const queue: ServiceBusQueueFunctionDefinition = { ...definition, handler: (message, context) => inScope(context, () => handler(message, context)) };
    return queue;
  }
  const { handler } = definition;
  const timer: TimerFunctionDefinition = { ...definition, handler: (tick, context) => inScope(context, () => handler(tick, context)) };
  return timer;
}
