// What a function file exports: one definition object (name, trigger, handler). functions/index.ts registers
// every definition with @azure/functions (app.http / app.timer / app.serviceBusQueue); the local host
// (dev/host) serves the SAME list, so both run each function exactly as registered.
import type { HttpHandler, HttpMethod, ServiceBusQueueHandler, TimerHandler } from '@azure/functions';

export { PoisonMessageError } from '../shared/contracts/poison.js';

export interface HttpTriggerDefinition {
  type: 'http';
  /** Without the `api/` prefix (host.json routePrefix). Route parameters: `{name}`, optional `{name?}`. */
  route: string;
  methods: HttpMethod[];
  /** anonymous: callers cannot hold a function key (Graph). function: needs a function key in Azure. */
  authLevel: 'anonymous' | 'function' | 'admin';
}

export interface TimerTriggerDefinition {
  type: 'timer';
  /** NCRONTAB with seconds (`0 *\/30 * * * *`) or an app setting reference (`%SUBSCRIPTION_SCHEDULE%`). */
  schedule: string;
  runOnStartup?: boolean;
}

export interface ServiceBusQueueTriggerDefinition {
  type: 'serviceBusQueue';
  /** Queue name or app setting reference (`%WRITEBACK_RESULTS_QUEUE%`). */
  queueName: string;
  /** Prefix of the identity-based connection settings (ServiceBusConnection__fullyQualifiedNamespace). */
  connection: 'ServiceBusConnection';
  isSessionsEnabled: boolean;
}

export interface HttpFunctionDefinition {
  name: string;
  trigger: HttpTriggerDefinition;
  handler: HttpHandler;
}

export interface TimerFunctionDefinition {
  name: string;
  trigger: TimerTriggerDefinition;
  handler: TimerHandler;
}

export interface ServiceBusQueueFunctionDefinition {
  name: string;
  trigger: ServiceBusQueueTriggerDefinition;
  /** Throws PoisonMessageError for a message that can never succeed; any other throw means "retry". */
  handler: ServiceBusQueueHandler;
}

export type FunctionDefinition = HttpFunctionDefinition | TimerFunctionDefinition | ServiceBusQueueFunctionDefinition;

/** Resolves `%SETTING%` references the way the Functions host does (from app settings / environment). */
export function resolveSetting(value: string, settings: Record<string, string | undefined>): string {
  const m = /^%([^%]+)%$/.exec(value);
  if (m === null) return value;
  const resolved = settings[m[1]!];
  if (resolved === undefined || resolved === '') throw new Error(`app setting ${m[1]} is not set (referenced as ${value})`);
  return resolved;
}

export function isHttpFunction(d: FunctionDefinition): d is HttpFunctionDefinition {
  return d.trigger.type === 'http';
}

export function isTimerFunction(d: FunctionDefinition): d is TimerFunctionDefinition {
  return d.trigger.type === 'timer';
}

export function isQueueFunction(d: FunctionDefinition): d is ServiceBusQueueFunctionDefinition {
  return d.trigger.type === 'serviceBusQueue';
}
