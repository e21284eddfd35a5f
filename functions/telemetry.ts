// Application Insights through OpenTelemetry with Microsoft's distribution for Node (@azure/monitor-opentelemetry)
// when it is installed: it exports with the managed identity (the resource accepts Entra ID only) and its
// Functions hook makes each invocation's trace context the active one, so the log records emitted here are tied
// to their invocation. The package is not among package.json's dependencies yet, so it is loaded by name at run
// time only (neither the build nor the app needs it); without it the lines go through the invocation's own
// logger (log-sinks.ts), which the Functions host forwards to Application Insights. Started once per worker (the
// distro is process-wide).
import type { TokenCredential } from '@azure/identity';
import type { DestinationStream } from 'pino';
import { invocationLogSink, lineLevel } from './log-sinks.js';

const DISTRO_PACKAGE = '@azure/monitor-opentelemetry';
/** The OpenTelemetry logs API the distro registers its logger provider with (one of its own dependencies). */
const LOGS_API_PACKAGE = '@opentelemetry/api-logs';

/** The parts of the two packages used here. */
interface Distro {
  useAzureMonitor(options: {
    azureMonitorExporterOptions: { connectionString: string; credential: TokenCredential };
    enableTraceBasedSamplingForLogs: boolean;
  }): void;
}
interface LogsApi {
  logs: { getLogger(name: string): { emit(record: { body: string; severityNumber: number; severityText: string }): void } };
}

export interface Telemetry {
  destination: DestinationStream;
  /** Who sends the log lines to Application Insights. */
  exporter: 'azureMonitorOpenTelemetry' | 'functionsHost';
  /** Why the OpenTelemetry distribution is not used. */
  reason?: string;
}

let started: Promise<Telemetry> | undefined;

export function startTelemetry(connectionString: string | undefined, credential: TokenCredential): Promise<Telemetry> {
  started ??= start(connectionString, credential);
  return started;
}

function isDistro(value: unknown): value is Distro {
  return typeof (value as Partial<Distro> | null)?.useAzureMonitor === 'function';
}

function isLogsApi(value: unknown): value is LogsApi {
  return typeof (value as Partial<LogsApi> | null)?.logs?.getLogger === 'function';
}

/** OpenTelemetry's severity numbers (the logs data model) for pino's levels. */
function severity(level: number): { severityNumber: number; severityText: string } {
  if (level >= 60) return { severityNumber: 21, severityText: 'FATAL' };
  if (level >= 50) return { severityNumber: 17, severityText: 'ERROR' };
  if (level >= 40) return { severityNumber: 13, severityText: 'WARN' };
  if (level >= 30) return { severityNumber: 9, severityText: 'INFO' };
  return { severityNumber: 5, severityText: 'DEBUG' };
}

async function start(connectionString: string | undefined, credential: TokenCredential): Promise<Telemetry> {
  const viaHost = (reason: string): Telemetry => ({ destination: invocationLogSink(), exporter: 'functionsHost', reason });
  if (connectionString === undefined || connectionString === '') return viaHost('APPLICATIONINSIGHTS_CONNECTION_STRING is not set');
  const load = (name: string): Promise<unknown> => import(name).catch(() => null);
  const [distro, logsApi] = await Promise.all([load(DISTRO_PACKAGE), load(LOGS_API_PACKAGE)]);
  if (!isDistro(distro) || !isLogsApi(logsApi)) return viaHost(`${DISTRO_PACKAGE} is not installed`);
  // Every log line is kept (alerts read them), whatever the sampling of traces.
  distro.useAzureMonitor({ azureMonitorExporterOptions: { connectionString, credential }, enableTraceBasedSamplingForLogs: false });
  const logger = logsApi.logs.getLogger('group-writeback');
  return {
    exporter: 'azureMonitorOpenTelemetry',
    destination: {
      write(line: string) {
        const text = line.trimEnd();
        logger.emit({ body: text, ...severity(lineLevel(text)) });
      },
    },
  };
}
