// The relay as a process: `npm run relay -- --config relay.json` or `node dist/relay/main.js --config
// relay.json`. Thin wiring: config, logger, Service Bus client, startRelay; stops cleanly on SIGINT/SIGTERM.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ClientCertificateCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { createServiceBusQueueClient } from '../shared/adapters/servicebus/index.js';
import { createLogger } from '../shared/logging.js';
import type { QueueClient } from '../shared/ports/queue.js';
import { loadRelayConfig, RelayConfigError, type RelayConfig } from './config.js';
import { startRelay } from './start.js';

export { startRelay, type RunningRelay, type StartRelayOptions } from './start.js';
export { loadRelayConfig, parseRelayConfig, RelayConfigError, type RelayConfig, type RelayConfigInput } from './config.js';

const USAGE = 'usage: relay --config <file.json>   (see docs/relay.md)';

function credentialFor(config: Extract<RelayConfig['queue'], { type: 'serviceBus' }>['credential']): TokenCredential {
  if (config.type === 'certificate') {
    return new ClientCertificateCredential(config.tenantId, config.clientId, { certificatePath: config.certificatePath });
  }
  return config.clientId ? new ManagedIdentityCredential({ clientId: config.clientId }) : new ManagedIdentityCredential();
}

function queueFor(config: RelayConfig, embeddedQueue?: () => QueueClient): QueueClient {
  if (config.queue.type === 'embedded') {
    if (embeddedQueue) return embeddedQueue();
    throw new RelayConfigError([
      "queue.type: 'embedded' only works where the local stack provides the queue (dev/relay/main.ts); a relay process needs 'serviceBus'",
    ]);
  }
  return createServiceBusQueueClient({
    fullyQualifiedNamespace: config.queue.namespace,
    credential: credentialFor(config.queue.credential),
  });
}

/** `embeddedQueue`: where `queue.type: embedded` comes from (the local stack's relay process). */
export async function main(argv: string[], embeddedQueue?: () => QueueClient): Promise<number> {
  let configPath: string | undefined;
  try {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    configPath = values.config;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!configPath) {
    console.error(`--config is required\n${USAGE}`);
    return 2;
  }
  let config: RelayConfig;
  let queue: QueueClient;
  try {
    config = await loadRelayConfig(configPath);
    queue = queueFor(config, embeddedQueue);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const log = createLogger('relay', config.logLevel);
  let relay;
  try {
    relay = await startRelay({ config, queue, log });
  } catch (error) {
    log.fatal({ err: (error as Error).message }, 'relay cannot start');
    await queue.close().catch(() => undefined);
    return 1;
  }
  const running = relay;
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'stopping');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await running.stop();
  await queue.close().catch(() => undefined);
  return 0;
}

// Run only as the entry point; importing this module (demo, scenario runner) starts nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
