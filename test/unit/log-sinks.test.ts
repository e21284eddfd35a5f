// The Function App's log lines in Azure without the OpenTelemetry distribution (functions/log-sinks.ts): inside an
// invocation they go through the invocation's own logger at their level (the Functions host ties them to the
// invocation), outside one to stdout; either way the message is pino's JSON line, as the alert queries expect.
import { InvocationContext, type Timer } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { invocationTrace, traced } from '../../functions/invocation-scope.js';
import { invocationLogSink, lineLevel } from '../../functions/log-sinks.js';
import { invocationLog } from '../../functions/http-helpers.js';
import { isTimerFunction } from '../../functions/registry.js';
import { createLogger } from '../../shared/logging.js';

const tick: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

describe('invocation log sink', () => {
  it('writes through the invocation in progress, at the line\'s level, the JSON line as the message', async () => {
    const seen: [string, string][] = [];
    const outside: string[] = [];
    const log = createLogger('functions', 'debug', invocationLogSink({ write: (line: string) => void outside.push(line) }));
    const context = new InvocationContext({
      functionName: 'tick',
      traceContext: { traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      logHandler: (level, ...args) => void seen.push([level, args.map(String).join(' ')]),
    });
    const definition = traced({
      name: 'tick',
      trigger: { type: 'timer', schedule: '0 */5 * * * *' },
      handler: (_timer: Timer, ctx: InvocationContext) => {
        const l = invocationLog(log, ctx);
        l.debug('d');
        l.info({ groupId: 'g1' }, 'i');
        l.warn('w');
        l.error('e');
      },
    });
    if (!isTimerFunction(definition)) throw new Error('not a timer');
    await definition.handler(tick, context);
    log.info('after the invocation');

    expect(seen.map(([level]) => level)).toEqual(['debug', 'information', 'warning', 'error']);
    const info = JSON.parse(seen[1]![1]) as Record<string, unknown>;
    expect(info).toMatchObject({ msg: 'i', groupId: 'g1', fn: 'tick', traceId: '0af7651916cd43dd8448eb211c80319c', level: 30 });
    expect(invocationTrace(context).traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(outside).toHaveLength(1);
    expect(JSON.parse(outside[0]!)).toMatchObject({ msg: 'after the invocation' });
  });

  it('reads pino\'s level from a line', () => {
    expect(lineLevel('{"level":50,"msg":"x"}')).toBe(50);
    expect(lineLevel('not json')).toBe(30);
  });
});
