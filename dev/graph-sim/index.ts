// Public surface of the Graph simulator.
export { startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from './server.js';
export { GraphSimControl, type OnPremDomain } from './control.js';
export type { GroupSpec, UserSpec, DeviceSpec, GroupKind } from './control-schemas.js';
export type { DeltaBehavior, TokenFailureMode } from './delta.js';
export type { Delivery, DeliveryOptions, DeliveryStats } from './deliveries.js';
export type { FailureRule } from './failures.js';
export type { LifecycleEvent } from './subscriptions.js';
