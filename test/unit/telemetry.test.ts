// functions/telemetry.ts: without Application Insights settings the log lines go through the Functions host (no
// package loaded, no exporter started); and the OpenTelemetry packages it loads by name at run time, when they are
// installed, still have the shape it calls (useAzureMonitor, the logs API, the severity numbers it hard-codes).
import { createRequire } from 'node:module';
import { ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { startTelemetry } from '../../functions/telemetry.js';

const require = createRequire(import.meta.url);
const DISTRO = '@azure/monitor-opentelemetry';
const LOGS_API = '@opentelemetry/api-logs';
const installed = (name: string): boolean => {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
};

describe('telemetry', () => {
  it('without a connection string: through the Functions host, and says why', async () => {
    const telemetry = await startTelemetry(undefined, new ManagedIdentityCredential());
    expect(telemetry.exporter).toBe('functionsHost');
    expect(telemetry.reason).toBe('APPLICATIONINSIGHTS_CONNECTION_STRING is not set');
  });

  // Loaded by name, as telemetry.ts does: the type check does not depend on the packages either.
  it.skipIf(!installed(DISTRO))('the distribution, when installed, has what telemetry.ts calls', async () => {
    const distro = (await import(DISTRO)) as { useAzureMonitor?: unknown };
    expect(typeof distro.useAzureMonitor).toBe('function');
    const api = (await import(LOGS_API)) as { logs: { getLogger?: unknown }; SeverityNumber: Record<string, number> };
    expect(typeof api.logs.getLogger).toBe('function');
    // The severity numbers telemetry.ts writes for pino's levels.
    const { DEBUG, INFO, WARN, ERROR, FATAL } = api.SeverityNumber;
    expect([DEBUG, INFO, WARN, ERROR, FATAL]).toEqual([5, 9, 13, 17, 21]);
  });
});
