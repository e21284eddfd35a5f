// Long text in one table entity: split over properties c0, c1, ... (each under the 64 KiB string limit) and
// joined again on read. The chunk count caps the entity below its 1 MiB size limit.
import type { StoredEntity, TableValue } from '../ports/table-store.js';

export const CHUNK_CHARS = 30_000;
/** 15 x 30,000 UTF-16 characters = 900 KB: room for the keys and a few plain properties. */
export const MAX_CHUNKS = 15;
export const MAX_TEXT_CHARS = CHUNK_CHARS * MAX_CHUNKS;

export class TextTooLargeError extends Error {
  constructor(readonly what: string, readonly chars: number) {
    super(`${what} needs ${chars} characters; one table entity holds at most ${MAX_TEXT_CHARS}`);
    this.name = 'TextTooLargeError';
  }
}

export function textProperties(what: string, text: string): Record<string, TableValue> {
  if (text.length > MAX_TEXT_CHARS) throw new TextTooLargeError(what, text.length);
  const out: Record<string, TableValue> = {};
  let n = 0;
  let i = 0;
  do {
    let end = Math.min(i + CHUNK_CHARS, text.length);
    // Never split a surrogate pair between two properties.
    if (end < text.length && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
    out[`c${n}`] = text.slice(i, end);
    n++;
    i = end;
  } while (i < text.length);
  out['chunks'] = n;
  return out;
}

export function textOf(entity: StoredEntity): string {
  const n = entity.properties['chunks'];
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_CHUNKS) {
    throw new Error(`entity ${entity.partitionKey}/${entity.rowKey} has no valid text chunks`);
  }
  let text = '';
  for (let i = 0; i < n; i++) {
    const part = entity.properties[`c${i}`];
    if (typeof part !== 'string') throw new Error(`entity ${entity.partitionKey}/${entity.rowKey} lacks chunk c${i}`);
    text += part;
  }
  return text;
}
