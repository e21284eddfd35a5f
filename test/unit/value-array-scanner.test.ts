// The streaming splitter of notification bodies: elements come out exactly as JSON.parse sees them, wherever
// the chunk boundaries fall (inside strings, escapes, multi-byte characters), malformed JSON is refused
// anywhere in the body, and size limits hold per element and per body without waiting for the end.
import { describe, expect, it } from 'vitest';
import { BodyRefusedError, ValueArrayScanner, type ScannerLimits } from '../../shared/app/intake/value-array-scanner.js';

const roomy: ScannerLimits = { maxElementBytes: 1024 * 1024, maxBodyBytes: 64 * 1024 * 1024 };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Feeds `body` in the given chunks; returns the elements seen and the count, or the refusal. */
function scan(chunks: Uint8Array[], limits = roomy, accept: (e: unknown) => boolean = () => true): { elements: unknown[]; count?: number; refused?: BodyRefusedError } {
  const elements: unknown[] = [];
  const scanner = new ValueArrayScanner(limits, (e) => {
    elements.push(e);
    return accept(e);
  });
  try {
    for (const c of chunks) scanner.push(c);
    return { elements, count: scanner.end() };
  } catch (err) {
    if (err instanceof BodyRefusedError) return { elements, refused: err };
    throw err;
  }
}

/** Every split of `body` into two chunks, plus byte by byte. */
function splits(body: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [[...body].map((b) => Uint8Array.of(b))];
  for (let at = 0; at <= body.length; at++) out.push([body.slice(0, at), body.slice(at)]);
  return out;
}

// Strings full of what could confuse a scanner: braces and brackets, escaped quotes and backslashes,
// \u escapes, 2-, 3- and 4-byte UTF-8 characters.
const tricky = {
  value: [
    { subscriptionId: 's1', clientState: 'a"}]{[\\', resource: 'Groups/x', resourceData: { id: 'g1', 'members@delta': [{ id: 'm', '@removed': 'deleted' }] } },
    { subscriptionId: 'Lučić ☃ 👍', note: 'tab\there \u0001 \\"quoted\\" \\\\', nested: [[[]], {}, [{ a: [1, -2.5e3, true, false, null] }]] },
    'a bare string element',
    42,
  ],
  validationTokens: ['ey.x}]'],
  extra: { value: 'not the top-level value' },
  n: -1.5e-7,
  t: true,
  z: null,
};

describe('ValueArrayScanner: splitting', () => {
  it('yields exactly the elements JSON.parse sees, for every chunk boundary', () => {
    const text = JSON.stringify(tricky, null, 1);
    const body = bytes(text);
    for (const chunks of splits(body)) {
      const got = scan(chunks);
      expect(got.refused).toBeUndefined();
      expect(got.elements).toEqual(tricky.value);
      expect(got.count).toBe(4);
    }
  });

  it('members before and after value, compact and with whitespace everywhere', () => {
    for (const text of ['{"a":{"b":[1]},"value":[{"x":1}],"c":"]"}', ' \r\n\t{ "value" : [ { "x" : 1 } , { "y" : [ ] } ] , "d" : 0 } \n']) {
      for (const chunks of splits(bytes(text))) {
        const got = scan(chunks);
        expect(got.elements).toEqual((JSON.parse(text) as { value: unknown[] }).value);
      }
    }
  });

  it('an empty value array and an empty object end cleanly (the intake decides what they mean)', () => {
    expect(scan([bytes('{"value":[]}')]).count).toBe(0);
    expect(scan([bytes('{}')]).refused?.message).toBe('no value array');
  });

  it('any number of elements', () => {
    const text = `{"value":[${Array.from({ length: 100_000 }, (_, i) => `{"i":${i}}`).join(',')}]}`;
    let last: unknown;
    const scanner = new ValueArrayScanner(roomy, (e) => ((last = e), true));
    const body = bytes(text);
    for (let at = 0; at < body.length; at += 4096) scanner.push(body.subarray(at, at + 4096));
    expect(scanner.end()).toBe(100_000);
    expect(last).toEqual({ i: 99_999 });
  });
});

describe('ValueArrayScanner: refusals', () => {
  const malformed: [string, string | Uint8Array][] = [
    ['empty body', ''],
    ['whitespace only', '  \n'],
    ['top-level array', '[{"value":[]}]'],
    ['truncated element', '{"value": [ {'],
    ['truncated after value', '{"value":[{"a":1}]'],
    ['truncated string', '{"value":[{"a":"b'],
    ['trailing comma in value', '{"value":[{"a":1},]}'],
    ['leading comma in value', '{"value":[,{"a":1}]}'],
    ['missing comma', '{"value":[{"a":1} {"a":2}]}'],
    ['trailing comma in object', '{"value":[{"a":1}],}'],
    ['missing colon', '{"value" [1]}'],
    ['unquoted key', '{value:[1]}'],
    ['bad scalar', '{"value":[tru]}'],
    ['two scalars', '{"value":[1 2]}'],
    ['bad member value', '{"a":nope,"value":[1]}'],
    ['broken element', '{"value":[{"a":}]}'],
    ['mismatched brackets', '{"value":[{"a":[1}]]}'],
    ['bytes after the object', '{"value":[1]} x'],
    ['second object', '{"value":[1]}{}'],
    ['value twice', '{"value":[1],"value":[2]}'],
    ['value not an array', '{"value":{"a":1}}'],
    ['value a string', '{"value":"x"}'],
    ['invalid UTF-8 at the start', Uint8Array.of(0xff, 0xfe, 0x7b)],
    ['invalid UTF-8 in a string', Uint8Array.of(...bytes('{"value":[{"a":"'), 0xc3, 0x28, ...bytes('"}]}'))],
    ['invalid UTF-8 between values', Uint8Array.of(...bytes('{"value":[1]'), 0xa0, ...bytes('}'))],
  ];
  it.each(malformed)('%s -> 400', (_name, body) => {
    const all = typeof body === 'string' ? bytes(body) : body;
    for (const chunks of splits(all)) {
      const got = scan(chunks);
      expect(got.refused?.status).toBe(400);
    }
  });

  it('a callback that refuses an element stops the scan as a wrong-shape body', () => {
    const got = scan([bytes('{"value":[{"ok":1},{"bad":1},{"ok":2}]}')], roomy, (e) => !('bad' in (e as object)));
    expect(got.refused).toMatchObject({ status: 400, message: 'a notification has the wrong shape' });
    expect(got.elements).toHaveLength(2);
  });

  it('an element over the cap -> 413 as soon as it passes the cap, without waiting for its end', () => {
    const limits = { maxElementBytes: 100, maxBodyBytes: 1000 };
    expect(scan([bytes(`{"value":[{"a":"${'x'.repeat(90)}"}]}`)], limits).elements).toHaveLength(1);
    const scanner = new ValueArrayScanner(limits, () => true);
    scanner.push(bytes(`{"value":[{"a":1},{"a":"${'x'.repeat(50)}`));
    expect(() => scanner.push(bytes('x'.repeat(50)))).toThrow(expect.objectContaining({ status: 413, message: 'notification too large' }));
  });

  it('any other member over the cap -> 413 as well', () => {
    const got = scan([bytes(`{"other":"${'x'.repeat(200)}","value":[1]}`)], { maxElementBytes: 100, maxBodyBytes: 1000 });
    expect(got.refused).toMatchObject({ status: 413, message: 'member too large' });
  });

  it('a body over the cap -> 413 however small its elements', () => {
    const scanner = new ValueArrayScanner({ maxElementBytes: 100, maxBodyBytes: 1000 }, () => true);
    scanner.push(bytes('{"value":['));
    const element = bytes('{"a":1},');
    expect(() => {
      for (;;) scanner.push(element);
    }).toThrow(expect.objectContaining({ status: 413, message: 'body too large' }));
  });
});
