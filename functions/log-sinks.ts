// Where the Function App's log lines go in Azure (functions/telemetry.ts picks one). Each keeps pino's JSON line
// as the record's message, so a log query parses it the same way whichever sink wrote it
// (infra/modules/alerts.bicep: `parse_json(message)`).
import type { DestinationStream } from 'pino';
import { currentInvocation } from './invocation-scope.js';

/** pino's numeric level of a JSON line (pino writes it first); info when absent. */
export function lineLevel(line: string): number {
  const match = /"level":(\d+)/.exec(line);
  return match === null ? 30 : Number(match[1]);
}

/**
 * Through the invocation's own logger: the worker hands those lines to the Functions host, which sends them to
 * Application Insights tied to the invocation. Outside an invocation (start-up), to `fallback` (stdout).
 */
export function invocationLogSink(fallback: DestinationStream = process.stdout): DestinationStream {
  return {
    write(line: string) {
      const context = currentInvocation();
      if (context === undefined) {
        fallback.write(line);
        return;
      }
      const text = line.trimEnd();
      const level = lineLevel(text);
      if (level >= 50) context.error(text);
      else if (level >= 40) context.warn(text);
      else if (level >= 30) context.info(text);
      else context.debug(text);
    },
  };
}
