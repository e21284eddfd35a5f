// WebSocket framing (RFC 6455, section 5) for the client side of the AMQP-over-WebSockets transport: frames
// we send are masked; frames from the server are not, and are read from a byte stream that may split or
// join them anywhere. No extensions are negotiated, so the RSV bits must be clear.
import { randomBytes } from 'node:crypto';

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export class WebSocketProtocolError extends Error {
  constructor(message: string) {
    super(`WebSocket protocol error: ${message}`);
    this.name = 'WebSocketProtocolError';
  }
}

/** One whole, masked frame (client to server). */
export function encodeFrame(opcode: number, payload: Uint8Array, mask: Uint8Array = randomBytes(4)): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const offset = 2 + lengthBytes + 4;
  const frame = Buffer.allocUnsafe(offset + length);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.set(mask.subarray(0, 4), 2 + lengthBytes);
  for (let i = 0; i < length; i += 1) frame[offset + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

/** The close frame's body: status code and a short reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const text = Buffer.from(reason.slice(0, 100), 'utf8');
  const body = Buffer.allocUnsafe(2 + text.length);
  body.writeUInt16BE(code, 0);
  text.copy(body, 2);
  return body;
}

/** Splits the server's byte stream into frames. Bytes are joined once per frame, not once per chunk. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxPayloadBytes: number) {}

  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    for (let frame = this.next(); frame !== null; frame = this.next()) frames.push(frame);
    return frames;
  }

  private next(): Frame | null {
    if (this.buffered < 2) return null;
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 14));
    const first = head[0]!;
    const second = head[1]!;
    if ((first & 0x70) !== 0) throw new WebSocketProtocolError('reserved bits set');
    if ((second & 0x80) !== 0) throw new WebSocketProtocolError('the server masked a frame');
    const opcode = first & 0x0f;
    const fin = (first & 0x80) !== 0;
    let length = second & 0x7f;
    let headerLength = 2;
    if (length === 126) {
      if (head.length < 4) return null;
      length = head.readUInt16BE(2);
      headerLength = 4;
    } else if (length === 127) {
      if (head.length < 10) return null;
      const big = head.readBigUInt64BE(2);
      if (big > BigInt(this.maxPayloadBytes)) throw new WebSocketProtocolError(`frame of ${big} bytes is over the ${this.maxPayloadBytes} byte limit`);
      length = Number(big);
      headerLength = 10;
    }
    if (length > this.maxPayloadBytes) throw new WebSocketProtocolError(`frame of ${length} bytes is over the ${this.maxPayloadBytes} byte limit`);
    if (opcode >= 0x8 && (!fin || length > 125)) throw new WebSocketProtocolError('fragmented or oversized control frame');
    if (this.buffered < headerLength + length) return null;
    const all = Buffer.concat(this.chunks, this.buffered);
    const rest = all.subarray(headerLength + length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return { fin, opcode, payload: all.subarray(headerLength, headerLength + length) };
  }
}
