// Package main (dist/functions/index.js): registers every function definition with the Azure Functions
// Node v4 programming model. Outside the Functions worker, @azure/functions runs in "test mode": app.*
// only prints a warning and registers nothing, so importing this file in tests is harmless.
import { app } from '@azure/functions';
import { buildAzureRuntime } from './azure-runtime.js';
import { functionDefinitions } from './catalog.js';
import { isHttpFunction, isQueueFunction, isTimerFunction, type FunctionDefinition } from './registry.js';
import { setRuntimeFactory } from './runtime.js';

export function register(d: FunctionDefinition): void {
  if (isHttpFunction(d)) {
    const { route, methods, authLevel } = d.trigger;
    app.http(d.name, { route, methods, authLevel, handler: d.handler });
  } else if (isTimerFunction(d)) {
    const { schedule, runOnStartup } = d.trigger;
    app.timer(d.name, { schedule, ...(runOnStartup !== undefined ? { runOnStartup } : {}), handler: d.handler });
  } else if (isQueueFunction(d)) {
    const { queueName, connection, isSessionsEnabled } = d.trigger;
    app.serviceBusQueue(d.name, { queueName, connection, isSessionsEnabled, cardinality: 'one', handler: d.handler });
  }
}

// Request bodies arrive as streams, not buffered whole by the worker: the webhook scans a notification batch
// of any length as it arrives (shared/app/intake/notification-body.ts). Needs Functions host 4.28+.
app.setup({ enableHttpStream: true });
setRuntimeFactory(buildAzureRuntime);
for (const definition of functionDefinitions) register(definition);

export { functionDefinitions };
