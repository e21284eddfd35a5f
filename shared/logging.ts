// Structured logs (pino). Every record about a group carries `groupId`; secrets are redacted by key.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'clientState',
  '*.clientState',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'CLIENT_STATE_SECRET',
  'CLIENT_STATE_SECRET_PREVIOUS',
];

/** JSON lines to stdout, or to `destination` (the Function App in Azure: functions/telemetry.ts). */
export function createLogger(component: string, level: string = process.env['LOG_LEVEL'] ?? 'info', destination?: DestinationStream): Logger {
  const options = { name: component, level, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** A logger that writes nothing (tests, or when a caller wants silence). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
