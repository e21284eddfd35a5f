// WebSocket framing of the AMQP-over-WebSockets transport: our frames are masked with the three length forms,
// and the server's stream is cut into frames wherever its chunks split or join them; what RFC 6455 forbids
// from a server (masked frames, reserved bits, long control frames, oversize lengths) is refused.
import { describe, expect, it } from 'vitest';
import { closePayload, encodeFrame, FrameReader, OPCODE } from '../../shared/adapters/servicebus/websocket-frames.js';

function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0, n]) : n < 0x10000 ? Buffer.from([0, 126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([0, 127]), Buffer.alloc(8)]);
  if (n >= 0x10000) head.writeBigUInt64BE(BigInt(n), 2);
  head[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([head, payload]);
}

describe('encodeFrame', () => {
  it.each([10, 300, 70_000])('masks a %i byte payload behind the right length form', (n) => {
    const payload = Buffer.alloc(n, 0xab);
    const mask = Buffer.from([1, 2, 3, 4]);
    const frame = encodeFrame(OPCODE.binary, payload, mask);
    expect(frame[0]).toBe(0x82);
    expect(frame[1]! & 0x80).toBe(0x80);
    const offset = n < 126 ? 2 : n < 0x10000 ? 4 : 10;
    expect(frame[1]! & 0x7f).toBe(n < 126 ? n : n < 0x10000 ? 126 : 127);
    expect(frame.length).toBe(offset + 4 + n);
    expect(frame.subarray(offset, offset + 4)).toEqual(mask);
    expect(frame[offset + 4]).toBe(0xab ^ 1);
    expect(frame[offset + 5]).toBe(0xab ^ 2);
  });

  it('writes a close code and reason', () => {
    expect(closePayload(1000, 'bye')).toEqual(Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65]));
  });
});

describe('FrameReader', () => {
  it('reads frames split at every byte and several in one chunk', () => {
    const stream = Buffer.concat([serverFrame(OPCODE.binary, Buffer.from('first'), false), serverFrame(OPCODE.ping, Buffer.from('p')), serverFrame(OPCODE.continuation, Buffer.alloc(300, 1))]);
    const reader = new FrameReader(1_000_000);
    const frames = [...stream].flatMap((byte) => reader.push(Buffer.from([byte])));
    expect(frames.map((f) => [f.opcode, f.fin, f.payload.length])).toEqual([
      [OPCODE.binary, false, 5],
      [OPCODE.ping, true, 1],
      [OPCODE.continuation, true, 300],
    ]);
    expect(new FrameReader(1_000_000).push(stream)).toHaveLength(3);
  });

  it('reads a 64-bit length frame', () => {
    const payload = Buffer.alloc(70_000, 9);
    const [frame] = new FrameReader(1_000_000).push(serverFrame(OPCODE.binary, payload));
    expect(frame?.payload.equals(payload)).toBe(true);
  });

  it('refuses what a server must not send', () => {
    const masked = Buffer.from([0x82, 0x81, 0, 0, 0, 0, 0x61]);
    expect(() => new FrameReader(100).push(masked)).toThrow('the server masked a frame');
    expect(() => new FrameReader(100).push(Buffer.from([0xc2, 0x00]))).toThrow('reserved bits set');
    expect(() => new FrameReader(1000).push(serverFrame(OPCODE.ping, Buffer.alloc(126)))).toThrow('fragmented or oversized control frame');
    expect(() => new FrameReader(100).push(serverFrame(OPCODE.binary, Buffer.alloc(101)))).toThrow('over the 100 byte limit');
  });
});
