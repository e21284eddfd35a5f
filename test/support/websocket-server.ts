// Loopback test peers for the AMQP-over-WebSockets transport: a TLS WebSocket server (RFC 6455 server side:
// upgrade, unmasking, echo in fragments with a ping in between, or just recording) and an HTTP CONNECT proxy
// that can demand Basic credentials and routes every tunnel to a port of ours. A throwaway certificate names
// the hosts the tests connect to.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function testCertificate(names: string[]): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ws-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const san = names.map((n) => (net.isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
      '-days', '2', '-subj', '/CN=websocket-test', '-addext', `subjectAltName=${san}`, '-addext', 'basicConstraints=critical,CA:TRUE',
    ]);
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const head = payload.length < 126 ? Buffer.from([0, payload.length]) : Buffer.from([0, 126, payload.length >> 8, payload.length & 0xff]);
  head[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([head, payload]);
}

/** Client frames (masked) out of `buffer`; returns the frames and the bytes left over. */
function clientFrames(buffer: Buffer): { frames: { opcode: number; fin: boolean; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; fin: boolean; payload: Buffer }[] = [];
  let at = 0;
  for (;;) {
    if (buffer.length - at < 2) break;
    let length = buffer[at + 1]! & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      if (buffer.length - at < 4) break;
      length = buffer.readUInt16BE(at + 2);
      offset = at + 4;
    } else if (length === 127) {
      if (buffer.length - at < 10) break;
      length = Number(buffer.readBigUInt64BE(at + 2));
      offset = at + 10;
    }
    if (buffer.length < offset + 4 + length) break;
    const mask = buffer.subarray(offset, offset + 4);
    const payload = Buffer.from(buffer.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < payload.length; i += 1) payload[i] = payload[i]! ^ mask[i & 3]!;
    frames.push({ opcode: buffer[at]! & 0x0f, fin: (buffer[at]! & 0x80) !== 0, payload });
    at = offset + 4 + length;
  }
  return { frames, rest: buffer.subarray(at) };
}

export interface TestWebSocketServer {
  port: number;
  /** Each upgrade request: path, Host header and the subprotocols asked for. */
  upgrades: { path: string; host: string; protocols: string }[];
  /** Whole messages received, in order. */
  messages: Buffer[];
  /** Close codes received from clients. */
  closes: number[];
  nextMessage(): Promise<Buffer>;
  close(): Promise<void>;
}

export async function startWebSocketServer(tls: { key: string; cert: string }, opts: { echo: boolean }): Promise<TestWebSocketServer> {
  const upgrades: TestWebSocketServer['upgrades'] = [];
  const messages: Buffer[] = [];
  const closes: number[] = [];
  let waiters: ((m: Buffer) => void)[] = [];
  const sockets = new Set<Duplex>();
  const server = https.createServer(tls, (_req, res) => res.writeHead(426).end());
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '');
    upgrades.push({ path: req.url ?? '', host: String(req.headers.host ?? ''), protocols });
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    const chosen = protocols.split(',')[0]?.trim() ?? '';
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n` +
        (chosen ? `Sec-WebSocket-Protocol: ${chosen}\r\n` : '') +
        '\r\n',
    );
    let pending: Buffer = Buffer.alloc(0);
    let parts: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      const { frames, rest } = clientFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const frame of frames) {
        if (frame.opcode === 0x8) {
          closes.push(frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005);
          socket.end(serverFrame(0x8, frame.payload.subarray(0, 2)));
          continue;
        }
        if (frame.opcode === 0xa) continue;
        parts.push(frame.payload);
        if (!frame.fin) continue;
        const message = Buffer.concat(parts);
        parts = [];
        messages.push(message);
        for (const w of waiters.splice(0)) w(message);
        if (opts.echo) {
          // Two fragments with a ping between them: the client must reassemble and answer the ping.
          const half = Math.floor(message.length / 2);
          socket.write(serverFrame(0x2, message.subarray(0, half), false));
          socket.write(serverFrame(0x9, Buffer.from('ping')));
          socket.write(serverFrame(0x0, message.subarray(half), true));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    upgrades,
    messages,
    closes,
    nextMessage: () => new Promise((resolve) => waiters.push(resolve)),
    close: async () => {
      waiters = [];
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TestConnectProxy {
  url: string;
  /** CONNECT targets asked for, and the Proxy-Authorization each carried. */
  tunnels: { authority: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

/** Routes every CONNECT to 127.0.0.1:`toPort`; with `basic`, answers 407 unless those credentials come. */
export async function startConnectProxy(toPort: number, basic?: { username: string; password: string }): Promise<TestConnectProxy> {
  const tunnels: TestConnectProxy['tunnels'] = [];
  const open = new Set<Duplex>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    open.add(client);
    client.on('error', () => undefined);
    const authorization = req.headers['proxy-authorization'];
    tunnels.push({ authority: req.url ?? '', authorization });
    const expected = basic ? `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}` : undefined;
    if (expected !== undefined && authorization !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const upstream = net.connect(toPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    open.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    tunnels,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
