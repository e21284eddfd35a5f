// Streaming splitter for Graph's notification bodies `{"value": [ {...}, {...} ], ...}`: fed the body's bytes
// chunk by chunk, it hands each element of the top-level `value` array to a callback as soon as its closing
// byte arrives, so a batch of any length is handled while only one element is held at a time. It walks the
// UTF-8 bytes, not decoded text: every structural character of JSON is ASCII and never occurs inside a
// multi-byte sequence, so chunk boundaries may fall anywhere (inside strings, escapes or characters). Each
// element (and every other top-level member) is decoded strictly and checked with JSON.parse on its own; the
// scanner itself checks the punctuation between them, so the whole body must be JSON to be accepted.

/** Why a body was refused: 400 not JSON / not the expected shape, 413 an element or the body too big. */
export class BodyRefusedError extends Error {
  constructor(
    readonly status: 400 | 413,
    reason: string,
  ) {
    super(reason);
    this.name = 'BodyRefusedError';
  }
}

export interface ScannerLimits {
  /** Bytes one element (or one other top-level member) may have. */
  maxElementBytes: number;
  /** Bytes the whole body may have. */
  maxBodyBytes: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isWhitespace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
/** Bytes of numbers, true, false, null (and of garbage that JSON.parse then refuses). */
const isScalarByte = (b: number): boolean =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b === 0x2d || b === 0x2b || b === 0x2e;

/** Where the scanner is between captured values. */
type Place = 'start' | 'firstKey' | 'key' | 'colon' | 'memberValue' | 'afterMember' | 'firstElement' | 'element' | 'afterElement' | 'end';

/** A value being collected: its bytes so far and enough state to find its end. */
interface Capture {
  purpose: 'key' | 'member' | 'element';
  scalar: boolean;
  depth: number;
  inString: boolean;
  escaped: boolean;
  parts: Uint8Array[];
  bytes: number;
}

const malformed = (reason: string): BodyRefusedError => new BodyRefusedError(400, reason);

export class ValueArrayScanner {
  private place: Place = 'start';
  private capture: Capture | null = null;
  private key = '';
  private sawValue = false;
  private total = 0;
  private count = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  /** `onElement` gets each parsed element; returning false stops the scan as a wrong-shape body (400). */
  constructor(
    private readonly limits: ScannerLimits,
    private readonly onElement: (element: unknown) => boolean,
  ) {}

  /** Feeds the next bytes of the body; throws BodyRefusedError as soon as the body cannot be accepted. */
  push(chunk: Uint8Array): void {
    this.total += chunk.byteLength;
    if (this.total > this.limits.maxBodyBytes) throw new BodyRefusedError(413, 'body too large');
    let i = 0;
    while (i < chunk.length) {
      if (this.capture !== null) {
        i = this.collect(this.capture, chunk, i);
        continue;
      }
      const b = chunk[i]!;
      if (isWhitespace(b)) {
        i++;
        continue;
      }
      if (this.step(b)) i++;
    }
  }

  /** Ends the body; returns how many elements `value` had. Throws when the body stopped short. */
  end(): number {
    if (this.place !== 'end' || this.capture !== null) throw malformed(this.total === 0 ? 'empty body' : 'body ends before the JSON does');
    if (!this.sawValue) throw malformed('no value array');
    return this.count;
  }

  /** Handles one byte outside any captured value; returns false when a capture starts at this byte. */
  private step(b: number): boolean {
    switch (this.place) {
      case 'start':
        if (b !== OPEN_OBJECT) throw malformed('body is not a JSON object');
        this.place = 'firstKey';
        return true;
      case 'firstKey':
      case 'key':
        if (b === CLOSE_OBJECT && this.place === 'firstKey') {
          this.place = 'end';
          return true;
        }
        if (b !== QUOTE) throw malformed('expected a member name');
        return this.begin('key', b);
      case 'colon':
        if (b !== COLON) throw malformed('expected a colon');
        this.place = 'memberValue';
        return true;
      case 'memberValue':
        if (this.key === 'value' && b === OPEN_ARRAY) {
          if (this.sawValue) throw malformed('value appears twice');
          this.sawValue = true;
          this.place = 'firstElement';
          return true;
        }
        return this.begin('member', b);
      case 'firstElement':
        if (b === CLOSE_ARRAY) {
          this.place = 'afterMember';
          return true;
        }
        return this.begin('element', b);
      case 'element':
        return this.begin('element', b);
      case 'afterElement':
        if (b !== COMMA && b !== CLOSE_ARRAY) throw malformed('expected a comma or the end of value');
        this.place = b === COMMA ? 'element' : 'afterMember';
        return true;
      case 'afterMember':
        if (b !== COMMA && b !== CLOSE_OBJECT) throw malformed('expected a comma or the end of the object');
        this.place = b === COMMA ? 'key' : 'end';
        return true;
      case 'end':
        throw malformed('bytes after the JSON object');
    }
  }

  private begin(purpose: Capture['purpose'], b: number): false {
    const scalar = isScalarByte(b);
    if (!scalar && b !== QUOTE && b !== OPEN_OBJECT && b !== OPEN_ARRAY) throw malformed('expected a JSON value');
    this.capture = { purpose, scalar, depth: 0, inString: false, escaped: false, parts: [], bytes: 0 };
    return false;
  }

  /** Collects bytes of `c` from chunk[from]; returns the index after what it consumed. */
  private collect(c: Capture, chunk: Uint8Array, from: number): number {
    let i = from;
    let done = false;
    if (c.scalar) {
      // A scalar ends at the first byte that cannot belong to it; that byte is the next step's.
      while (i < chunk.length && isScalarByte(chunk[i]!)) i++;
      done = i < chunk.length;
    } else {
      for (; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (c.inString) {
          if (c.escaped) c.escaped = false;
          else if (b === BACKSLASH) c.escaped = true;
          else if (b === QUOTE) {
            c.inString = false;
            if (c.depth === 0) break;
          }
        } else if (b === QUOTE) c.inString = true;
        else if (b === OPEN_OBJECT || b === OPEN_ARRAY) c.depth++;
        else if ((b === CLOSE_OBJECT || b === CLOSE_ARRAY) && --c.depth === 0) break;
      }
      done = i < chunk.length;
      if (done) i++; // the closing byte is part of the value
    }
    c.bytes += i - from;
    if (c.bytes > this.limits.maxElementBytes) throw new BodyRefusedError(413, c.purpose === 'element' ? 'notification too large' : 'member too large');
    // A finished value inside one chunk is read in place; a value spanning chunks keeps copies of its parts
    // (never the whole chunk's buffer).
    const part = done && c.parts.length === 0 ? chunk.subarray(from, i) : chunk.slice(from, i);
    if (part.byteLength > 0) c.parts.push(part);
    if (done) {
      this.capture = null;
      this.finish(c.purpose, this.parse(c));
    }
    return i;
  }

  private parse(c: Capture): unknown {
    const bytes = c.parts.length === 1 ? c.parts[0]! : Buffer.concat(c.parts);
    try {
      return JSON.parse(this.decoder.decode(bytes)) as unknown;
    } catch {
      throw malformed('body is not UTF-8 JSON');
    }
  }

  private finish(purpose: Capture['purpose'], value: unknown): void {
    switch (purpose) {
      case 'key':
        this.key = value as string; // a capture begun at a quote is a string
        this.place = 'colon';
        return;
      case 'member':
        if (this.key === 'value') throw malformed('value is not an array');
        this.place = 'afterMember';
        return;
      case 'element':
        this.count++;
        if (!this.onElement(value)) throw malformed('a notification has the wrong shape');
        this.place = 'afterElement';
    }
  }
}
