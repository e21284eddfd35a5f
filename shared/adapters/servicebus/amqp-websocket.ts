// AMQP over WebSockets (port 443) for the Service Bus SDK: a WebSocket client (RFC 6455) with the shape rhea
// takes as `webSocketOptions.webSocket` (constructor (url, protocols, options); onopen, onmessage, onclose,
// onerror; send, close), over our own TLS connection so that it can pass an HTTP proxy (connect-tunnel.ts).
// Why our own: Node's built-in WebSocket takes no proxy, and the `ws` package the SDK's sample uses is not a
// dependency of this product. Messages are binary (AMQP frames); a server ping is answered with a pong.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { openTlsConnection, type ProxySettings } from './connect-tunnel.js';
import { closePayload, encodeFrame, FrameReader, OPCODE, WebSocketProtocolError, type Frame } from './websocket-frames.js';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Premium tier messages reach 100 MB; a longer frame means a broken stream. */
const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;
/** How long a closing handshake may take before the connection is cut. */
const CLOSE_WAIT_MS = 5_000;

/** What the SDK passes through as `webSocketConstructorOptions`. */
export interface AmqpWebSocketOptions {
  proxy?: ProxySettings;
  /** Proxy, TLS and upgrade together; default 60 s. */
  timeoutMs?: number;
}

export interface CloseEventLike {
  type: 'close';
  code: number;
  reason: string;
  wasClean: boolean;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
}

export class AmqpWebSocket {
  onopen: ((event: { type: 'open' }) => void) | null = null;
  onmessage: ((event: { type: 'message'; data: Buffer }) => void) | null = null;
  onclose: ((event: CloseEventLike) => void) | null = null;
  onerror: ((error: Error) => void) | null = null;
  readyState = CONNECTING;
  /** The subprotocol the server chose. */
  protocol = '';
  private request: http.ClientRequest | null = null;
  private socket: Duplex | null = null;
  private readonly reader = new FrameReader(MAX_MESSAGE_BYTES);
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private closeSent = false;
  private closeCode = 1006;
  private closeReason = '';
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly url: string,
    protocols?: string | string[],
    options?: AmqpWebSocketOptions,
  ) {
    const target = new URL(url);
    if (target.protocol !== 'wss:') throw new Error(`AmqpWebSocket: only wss:// URLs are supported, not ${target.protocol}`);
    const wanted = protocols === undefined ? [] : Array.isArray(protocols) ? protocols : [protocols];
    void this.open(target, wanted, options ?? {});
  }

  send(data: Uint8Array | ArrayBuffer | string): void {
    if (this.readyState !== OPEN || !this.socket) throw new Error('WebSocket is not open');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    this.socket.write(encodeFrame(OPCODE.binary, bytes));
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= CLOSING) return;
    if (this.readyState === CONNECTING) {
      // Not open yet: abandon the handshake (open() drops a socket that arrives later).
      this.readyState = CLOSING;
      this.request?.destroy();
      this.finish();
      return;
    }
    this.readyState = CLOSING;
    this.sendClose(code, reason);
  }

  private async open(target: URL, protocols: string[], options: AmqpWebSocketOptions): Promise<void> {
    try {
      const { socket, head } = await this.handshake(target, protocols, options);
      if (this.readyState !== CONNECTING) {
        socket.destroy();
        return;
      }
      this.attach(socket);
      this.readyState = OPEN;
      this.onopen?.({ type: 'open' });
      if (head.length > 0) this.receive(head);
    } catch (error) {
      if (this.readyState === CONNECTING) this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private handshake(target: URL, protocols: string[], options: AmqpWebSocketOptions): Promise<{ socket: Duplex; head: Buffer }> {
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = target.port === '' ? 443 : Number(target.port);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const key = randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const request = http.request({
        host,
        port,
        path: `${target.pathname}${target.search}`,
        method: 'GET',
        timeout: timeoutMs,
        headers: {
          host: target.host,
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': key,
          ...(protocols.length > 0 ? { 'sec-websocket-protocol': protocols.join(', ') } : {}),
        },
        createConnection: (_args, done) => {
          openTlsConnection({ host, port, timeoutMs, ...(options.proxy ? { proxy: options.proxy } : {}) }).then(
            (socket) => done(null, socket),
            (error: unknown) => done(error instanceof Error ? error : new Error(String(error)), undefined as unknown as Duplex),
          );
          return undefined;
        },
      });
      this.request = request;
      request.once('upgrade', (response, socket, head) => {
        this.request = null;
        request.setTimeout(0);
        const chosen = String(response.headers['sec-websocket-protocol'] ?? '');
        let problem: string | null = null;
        if (response.headers['sec-websocket-accept'] !== acceptKey(key)) problem = 'wrong Sec-WebSocket-Accept';
        else if (String(response.headers.upgrade ?? '').toLowerCase() !== 'websocket') problem = 'not a WebSocket upgrade';
        else if (protocols.length > 0 && !protocols.includes(chosen)) problem = `subprotocol ${JSON.stringify(chosen)} was not asked for`;
        if (problem) {
          socket.destroy();
          reject(new WebSocketProtocolError(`${target.host} answered the upgrade with ${problem}`));
          return;
        }
        this.protocol = chosen;
        resolve({ socket, head });
      });
      request.once('response', (response) => {
        response.resume();
        reject(new Error(`${target.host} refused the WebSocket upgrade: HTTP ${response.statusCode ?? '?'} ${response.statusMessage ?? ''}`.trim()));
      });
      request.once('timeout', () => request.destroy(new Error(`no WebSocket connection to ${target.host} within ${timeoutMs} ms`)));
      request.once('error', reject);
      request.end();
    });
  }

  private attach(socket: Duplex): void {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error: Error) => this.fail(error));
    socket.on('close', () => this.finish());
  }

  private receive(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      this.sendClose(1002, 'protocol error');
      this.fail(error as Error);
      return;
    }
    for (const frame of frames) this.handle(frame);
  }

  private handle(frame: Frame): void {
    switch (frame.opcode) {
      case OPCODE.ping:
        if (this.readyState === OPEN) this.socket?.write(encodeFrame(OPCODE.pong, frame.payload));
        return;
      case OPCODE.pong:
        return;
      case OPCODE.close:
        this.closeCode = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
        this.closeReason = frame.payload.subarray(2).toString('utf8');
        this.readyState = CLOSING;
        this.sendClose(this.closeCode === 1005 ? 1000 : this.closeCode, '');
        this.socket?.end();
        return;
      default:
        this.data(frame);
    }
  }

  /** Binary or text frames, possibly fragmented: one message per final frame. */
  private data(frame: Frame): void {
    const starts = frame.opcode === OPCODE.binary || frame.opcode === OPCODE.text;
    if (frame.opcode !== OPCODE.continuation && !starts) {
      this.fail(new WebSocketProtocolError(`unknown opcode ${frame.opcode}`));
      return;
    }
    if (starts && this.fragments.length > 0) {
      this.fail(new WebSocketProtocolError('a new message began inside a fragmented one'));
      return;
    }
    this.fragments.push(frame.payload);
    this.fragmentBytes += frame.payload.length;
    if (this.fragmentBytes > MAX_MESSAGE_BYTES) {
      this.fail(new WebSocketProtocolError(`message over ${MAX_MESSAGE_BYTES} bytes`));
      return;
    }
    if (!frame.fin) return;
    const data = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments, this.fragmentBytes);
    this.fragments = [];
    this.fragmentBytes = 0;
    if (this.readyState === OPEN) this.onmessage?.({ type: 'message', data });
  }

  private sendClose(code: number, reason: string): void {
    if (this.closeSent || !this.socket) return;
    this.closeSent = true;
    this.socket.write(encodeFrame(OPCODE.close, closePayload(code, reason)));
    // The server answers with its close frame and ends the connection; do not wait for it forever.
    this.closeTimer = setTimeout(() => this.socket?.destroy(), CLOSE_WAIT_MS);
    this.closeTimer.unref();
  }

  private fail(error: Error): void {
    if (this.readyState === CLOSED) return;
    this.onerror?.(error);
    if (this.socket) this.socket.destroy();
    else this.finish();
  }

  private finish(): void {
    if (this.readyState === CLOSED) return;
    const wasClean = this.closeSent && this.closeCode !== 1006;
    this.readyState = CLOSED;
    clearTimeout(this.closeTimer);
    this.onclose?.({ type: 'close', code: this.closeCode, reason: this.closeReason, wasClean });
  }
}
