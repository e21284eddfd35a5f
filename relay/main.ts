// The relay as a process: `node relay.mjs --config relay.json` (the bundle, docs/relay.md), `npm run relay --
// --config relay.json` from a checkout. Thin wiring: config, logger, queue client (queue-client.ts),
// startRelay; stops cleanly on SIGINT/SIGTERM. `--check` verifies the configuration instead (check/).
// Exit codes: 0 stopped cleanly or all checks passed; 1 cannot start, or a check failed; 2 invalid configuration.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../shared/logging.js';
import type { QueueClient } from '../shared/ports/queue.js';
import { checkRelay } from './check/check-relay.js';
import { loadRelayConfig, RelayConfigError, type RelayConfig } from './config.js';
import { queueFor } from './queue-client.js';
import { startRelay } from './start.js';

export { startRelay, type RunningRelay, type StartRelayOptions } from './start.js';
export { loadRelayConfig, parseRelayConfig, RelayConfigError, type RelayConfig, type RelayConfigInput } from './config.js';

const USAGE = `usage: relay --config <file.json> [--check]   (see docs/relay.md)
  --check   verify the configuration (DCs, bind, writeback OU rights, Service Bus rights) and exit:
            0 all checks passed, 1 a check failed, 2 the configuration is invalid`;

type Arguments = { configPath: string; check: boolean } | { exit: number };

function parseArguments(argv: string[]): Arguments {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(USAGE);
      return { exit: 0 };
    }
    if (!values.config) {
      console.error(`--config is required\n${USAGE}`);
      return { exit: 2 };
    }
    return { configPath: values.config, check: values.check === true };
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return { exit: 2 };
  }
}

/** `embeddedQueue`: where `queue.type: embedded` comes from (the local stack's relay process). */
export async function main(argv: string[], embeddedQueue?: () => QueueClient): Promise<number> {
  const args = parseArguments(argv);
  if ('exit' in args) return args.exit;
  let config: RelayConfig;
  try {
    config = await loadRelayConfig(args.configPath);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (args.check) {
    const loaded = config;
    return checkRelay({ config, configPath: args.configPath, openQueue: () => queueFor(loaded, embeddedQueue), out: (line) => console.log(line) });
  }
  let queue: QueueClient;
  try {
    queue = await queueFor(config, embeddedQueue);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const log = createLogger('relay', config.logLevel);
  let relay;
  try {
    relay = await startRelay({ config, queue, log });
  } catch (error) {
    await queue.close().catch(() => undefined);
    if (error instanceof RelayConfigError) {
      console.error(error.message);
      return 2;
    }
    log.fatal({ err: (error as Error).message }, 'relay cannot start');
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
  // An SDK handle left open (a reconnect timer) must not keep a finished relay or check alive.
  setTimeout(() => process.exit(), 5_000).unref();
}
