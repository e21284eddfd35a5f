// The relay as its own process in the local stack, as in production: the product's entry (relay/main.ts)
// with `queue.type: embedded` served by the local host's queue over loopback (dev/queue/remote-server.ts).
// `tsx dev/relay/main.ts --config relay.json` with WRITEBACK_LOCAL_QUEUE_URL set.
import { main } from '../../relay/main.js';
import { RemoteQueueClient } from '../queue/remote-client.js';

const url = process.env['WRITEBACK_LOCAL_QUEUE_URL'];
if (!url && !process.argv.includes('--help') && !process.argv.includes('-h')) {
  console.error('WRITEBACK_LOCAL_QUEUE_URL is not set (the local stack sets it when it starts this process)');
  process.exitCode = 2;
} else {
  process.exitCode = await main(process.argv.slice(2), () => new RemoteQueueClient(url ?? ''));
}
