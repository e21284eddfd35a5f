// W3C traceparent handling (shared/observability/trace-context.ts) and the sender that stamps the current trace on
// every message (traced-sender.ts): the pieces that let one change be followed from the webhook to recordResults.
import { describe, expect, it } from 'vitest';
import { SERVICE_BUS_MESSAGE_BYTES } from '../../shared/domain/limits.js';
import {
  childOf,
  DIAGNOSTIC_ID_PROPERTY,
  formatTraceparent,
  newTrace,
  parseTraceparent,
  traceFromProperties,
  traceProperties,
  TRACEPARENT_PROPERTY,
} from '../../shared/observability/trace-context.js';
import { currentTrace, runInTrace } from '../../shared/observability/trace-scope.js';
import { tracedSender } from '../../shared/observability/traced-sender.js';
import { BatchTooLargeError, validateSend, type OutgoingMessage, type QueueSender } from '../../shared/ports/queue.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('traceparent', () => {
  it('parses the W3C example and formats it back', () => {
    const trace = parseTraceparent(VALID);
    expect(trace).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: '01' });
    expect(formatTraceparent(trace!)).toBe(VALID);
  });

  it('refuses what the spec makes invalid', () => {
    for (const bad of [
      undefined,
      42,
      '',
      `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
      `00-${'0'.repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `ff-${TRACE_ID}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${SPAN_ID}-01-extra`,
      `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`,
      `0-${TRACE_ID}-${SPAN_ID}-01`,
    ]) {
      expect(parseTraceparent(bad), String(bad)).toBeNull();
    }
  });

  it('reads the first four fields of a later version, extra fields or not', () => {
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-03-later`)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: '03' });
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01`)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: '01' });
  });

  it('a new trace is valid and random; a child keeps the trace id and flags with a new span id', () => {
    const a = newTrace();
    const b = newTrace();
    expect(parseTraceparent(formatTraceparent(a))).toEqual(a);
    expect(a.traceId).not.toBe(b.traceId);
    const child = childOf(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`)!);
    expect(child).toMatchObject({ traceId: TRACE_ID, flags: '00' });
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe(SPAN_ID);
  });

  it('is read from a message: traceparent first, else Diagnostic-Id (what the Azure SDKs set)', () => {
    const other = `00-${'1'.repeat(32)}-${SPAN_ID}-01`;
    expect(traceFromProperties({ [TRACEPARENT_PROPERTY]: VALID, [DIAGNOSTIC_ID_PROPERTY]: other })?.traceId).toBe(TRACE_ID);
    expect(traceFromProperties({ [DIAGNOSTIC_ID_PROPERTY]: other })?.traceId).toBe('1'.repeat(32));
    expect(traceFromProperties({ [TRACEPARENT_PROPERTY]: 'garbage', [DIAGNOSTIC_ID_PROPERTY]: VALID })?.traceId).toBe(TRACE_ID);
    expect(traceFromProperties({})).toBeNull();
    expect(traceFromProperties(undefined)).toBeNull();
  });

  it('is written to a message as a child hop, the same value in both properties', () => {
    const props = traceProperties(parseTraceparent(VALID)!);
    expect(props[TRACEPARENT_PROPERTY]).toBe(props[DIAGNOSTIC_ID_PROPERTY]);
    expect(parseTraceparent(props[TRACEPARENT_PROPERTY])).toMatchObject({ traceId: TRACE_ID, flags: '01' });
    expect(props[TRACEPARENT_PROPERTY]).not.toBe(VALID);
  });
});

/** A sender that records sends and, like the real ones, refuses a batch over the limit (validateSend). */
function recordingSender(): QueueSender & { sends: OutgoingMessage[][] } {
  const sends: OutgoingMessage[][] = [];
  return {
    sends,
    send(messages) {
      validateSend(messages);
      sends.push([...messages]);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

const message = (id: string, body: unknown = { id }): OutgoingMessage => ({ messageId: id, body });

describe('traced sender', () => {
  it('stamps the current trace on each message, each a hop of its own', async () => {
    const inner = recordingSender();
    const trace = parseTraceparent(VALID)!;
    await runInTrace(trace, async () => {
      expect(currentTrace()).toBe(trace);
      await tracedSender(inner).send([message('a'), message('b', { x: 1 })]);
    });
    const [sent] = inner.sends;
    const values = sent!.map((m) => m.applicationProperties?.[TRACEPARENT_PROPERTY]);
    expect(values.map((v) => parseTraceparent(v)?.traceId)).toEqual([TRACE_ID, TRACE_ID]);
    expect(values[0]).not.toBe(values[1]);
    expect(sent!.map((m) => m.applicationProperties?.[DIAGNOSTIC_ID_PROPERTY])).toEqual(values);
  });

  it('keeps other properties and a trace a message already carries', async () => {
    const inner = recordingSender();
    const own = `00-${'2'.repeat(32)}-${SPAN_ID}-01`;
    await runInTrace(parseTraceparent(VALID)!, () =>
      tracedSender(inner).send([
        { ...message('a'), applicationProperties: { attempt: 2 } },
        { ...message('b'), applicationProperties: { [TRACEPARENT_PROPERTY]: own } },
      ]),
    );
    const [a, b] = inner.sends[0]!;
    expect(a!.applicationProperties).toMatchObject({ attempt: 2 });
    expect(parseTraceparent(a!.applicationProperties?.[TRACEPARENT_PROPERTY])?.traceId).toBe(TRACE_ID);
    expect(b!.applicationProperties).toEqual({ [TRACEPARENT_PROPERTY]: own });
  });

  it('sends messages as they are outside a trace scope', async () => {
    const inner = recordingSender();
    expect(currentTrace()).toBeUndefined();
    await tracedSender(inner).send([message('a')]);
    expect(inner.sends[0]![0]!.applicationProperties).toBeUndefined();
  });

  it('splits a send that fitted without the trace properties instead of failing it, in order', async () => {
    // Small messages filling one send to within a few bytes of the limit, as the writeback sender packs them.
    const filler = 'x'.repeat(2_000);
    const batch: OutgoingMessage[] = [];
    for (let i = 0; ; i++) {
      const next = [...batch, message(`m${i}`, { filler })];
      try {
        validateSend(next);
      } catch (error) {
        expect(error).toBeInstanceOf(BatchTooLargeError);
        break;
      }
      batch.push(next.at(-1)!);
    }
    expect(validateSend(batch)).toBeLessThanOrEqual(SERVICE_BUS_MESSAGE_BYTES);
    const inner = recordingSender();
    await runInTrace(parseTraceparent(VALID)!, () => tracedSender(inner).send(batch));
    expect(inner.sends.length).toBe(2);
    expect(inner.sends.flat().map((m) => m.messageId)).toEqual(batch.map((m) => m.messageId));
  });
});
