// A TCP pass-through on loopback that can be cut: the local stack puts one between the relay and the DC, and
// one between the Functions runtime and table storage, so a scenario's `fault` step can take a peer away for
// real (every open connection is cut, new ones are refused) and bring it back on the same port.
import net from 'node:net';

export interface FaultProxy {
  readonly port: number;
  readonly isDown: boolean;
  /** Cuts every open connection and refuses new ones (the port stops listening). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined); // the other side is destroyed with it below
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  let down = false;
  return {
    port,
    get isDown() {
      return down;
    },
    async down() {
      down = true;
      await stopListening();
    },
    async up() {
      if (!down) return;
      await listen(port);
      down = false;
    },
    async close() {
      down = true;
      await stopListening();
    },
  };
}
