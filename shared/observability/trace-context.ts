// W3C Trace Context (`traceparent`, https://www.w3.org/TR/trace-context/) for following one change end to end:
// webhook -> poke -> planner round -> change sets -> relay -> result -> recordResults. Every message the product
// sends carries it in two application properties with the same value: `traceparent`, and `Diagnostic-Id`, the
// property the Service Bus SDKs and the Functions host read to tie a message to its producer (docs/operations.md,
// "Following one change"). Logs carry the trace id as `traceId`.
import { randomBytes } from 'node:crypto';

export const TRACEPARENT_PROPERTY = 'traceparent';
export const DIAGNOSTIC_ID_PROPERTY = 'Diagnostic-Id';

export interface TraceContext {
  /** 32 lower-case hex digits, never all zeros: the same for every hop of one change. */
  traceId: string;
  /** 16 lower-case hex digits, never all zeros: this hop (a message, an invocation). */
  spanId: string;
  /** 2 hex digits; bit 0 = sampled. Passed on unchanged. */
  flags: string;
}

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// A later version keeps the same first four fields and may append more after a dash (the spec's rule for parsing
// versions it does not know); version ff is invalid.
const LATER_VERSION = /^(?!ff)[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** The trace a `traceparent` value names, or null when it is not a valid one (then a caller starts a new trace). */
export function parseTraceparent(value: unknown): TraceContext | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const match = text.startsWith('00-') ? VERSION_00.exec(text) : LATER_VERSION.exec(text);
  if (match === null) return null;
  const trace = { traceId: match[1]!, spanId: match[2]!, flags: match[3]! };
  if (/^0+$/.test(trace.traceId) || /^0+$/.test(trace.spanId)) return null;
  return trace;
}

export function formatTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** A new trace (sampled): for work nothing upstream traced, e.g. a timer tick. */
export function newTrace(): TraceContext {
  return { traceId: nonZeroHex(16), spanId: nonZeroHex(8), flags: '01' };
}

/** The next hop of the same trace: same trace id and flags, a new span id. */
export function childOf(parent: TraceContext): TraceContext {
  return { traceId: parent.traceId, spanId: nonZeroHex(8), flags: parent.flags };
}

/** The trace a received message carries: `traceparent` first, else `Diagnostic-Id` (what the Azure SDKs set). */
export function traceFromProperties(properties: Readonly<Record<string, unknown>> | undefined): TraceContext | null {
  if (properties === undefined) return null;
  return parseTraceparent(properties[TRACEPARENT_PROPERTY]) ?? parseTraceparent(properties[DIAGNOSTIC_ID_PROPERTY]);
}

/** The application properties that carry `parent` on an outgoing message: a child hop, in both properties. */
export function traceProperties(parent: TraceContext): Record<string, string> {
  const value = formatTraceparent(childOf(parent));
  return { [TRACEPARENT_PROPERTY]: value, [DIAGNOSTIC_ID_PROPERTY]: value };
}
