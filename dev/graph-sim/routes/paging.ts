// Collection responses: $top with @odata.nextLink ($skiptoken keeps the offset) and a small $filter.
// `in` takes at most 15 values, Graph's limit without advanced queries (known issue 13635).
import { badRequest, unsupportedQuery } from '../errors.js';
import type { SimRequest } from '../http-types.js';
import type { DirectoryRecord, Json, JsonObject } from '../types.js';

const DEFAULT_TOP = 100;
const MAX_TOP = 999;
const MAX_IN_VALUES = 15;
const QUOTED = "'(?:[^']|'')*'";

export function page<T>(req: SimRequest, baseUrl: string, items: T[], render: (item: T) => JsonObject, context: string): JsonObject {
  return pageOf(req, baseUrl, items.length, (offset, top) => items.slice(offset, offset + top), render, context);
}

/** page() over `total` items of which only the page's are produced (`at`): a million-member group's page
 *  costs its 999 members, not the whole list. */
export function pageOf<T>(
  req: SimRequest,
  baseUrl: string,
  total: number,
  at: (offset: number, top: number) => T[],
  render: (item: T) => JsonObject,
  context: string,
): JsonObject {
  const topRaw = req.query.get('$top');
  const top = topRaw === null ? DEFAULT_TOP : Number(topRaw);
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) throw badRequest(`Invalid page size specified: '${topRaw}'. Must be between 1 and ${MAX_TOP} inclusive.`);
  const skipRaw = req.query.get('$skiptoken');
  let offset = 0;
  if (skipRaw !== null) {
    offset = Number(Buffer.from(skipRaw, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw badRequest('The $skiptoken is malformed.');
  }
  const slice = at(offset, top);
  const body: JsonObject = { '@odata.context': context };
  if (offset + top < total) {
    const q = new URLSearchParams(req.query);
    q.delete('$skiptoken');
    const rest = [...q].map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
    rest.push(`$skiptoken=${Buffer.from(String(offset + top), 'utf8').toString('base64url')}`);
    body['@odata.nextLink'] = `${baseUrl}/${req.version}${req.path}?${rest.join('&')}`;
  }
  body['value'] = slice.map(render);
  return body;
}

type Predicate = (rec: DirectoryRecord) => boolean;

/** The $filter forms the product and the scenario runner use, joined by "and". Others -> 400. */
export function parseListFilter(raw: string | null): Predicate {
  if (raw === null || raw.trim() === '') return () => true;
  const preds = raw.split(/\s+and\s+/i).map(clause);
  return (rec) => preds.every((p) => p(rec));
}

function literal(v: string): Json {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === 'null') return null;
  const m = /^'(.*)'$/.exec(v);
  if (m) return (m[1] ?? '').replace(/''/g, "'");
  throw unsupportedQuery(`Unsupported literal '${v}' in $filter.`);
}

function clause(c: string): Predicate {
  const within = new RegExp(`^\\s*(\\w+)\\s+in\\s+\\(\\s*(${QUOTED}(?:\\s*,\\s*${QUOTED})*)\\s*\\)\\s*$`, 'i').exec(c);
  if (within?.[1] && within[2]) {
    const prop = within[1];
    const values = (within[2].match(new RegExp(QUOTED, 'g')) ?? []).map((v) => String(literal(v)).toLowerCase());
    if (values.length > MAX_IN_VALUES) {
      throw unsupportedQuery(`Too many child clauses specified in search filter expression containing 'OR' operators: ${values.length}. Max allowed: ${MAX_IN_VALUES}.`);
    }
    const wanted = new Set(values);
    return (rec) => {
      const v = prop === 'id' ? rec.id : rec.props[prop];
      return typeof v === 'string' && wanted.has(v.toLowerCase());
    };
  }
  const any = /^\s*(\w+)\/any\(\s*(\w+)\s*:\s*\2\s+eq\s+('(?:[^']|'')*')\s*\)\s*$/i.exec(c);
  if (any?.[1] && any[3]) {
    const prop = any[1];
    const want = literal(any[3]);
    return (rec) => {
      const v = rec.props[prop];
      return Array.isArray(v) && v.some((x) => typeof x === 'string' && typeof want === 'string' && x.toLowerCase() === want.toLowerCase());
    };
  }
  const sw = /^\s*startswith\(\s*(\w+)\s*,\s*('(?:[^']|'')*')\s*\)\s*$/i.exec(c);
  if (sw?.[1] && sw[2]) {
    const prop = sw[1];
    const want = String(literal(sw[2])).toLowerCase();
    return (rec) => String(rec.props[prop] ?? '').toLowerCase().startsWith(want);
  }
  const eq = /^\s*(\w+)\s+(eq|ne)\s+(true|false|null|'(?:[^']|'')*')\s*$/i.exec(c);
  if (eq?.[1] && eq[2] && eq[3]) {
    const prop = eq[1];
    const want = literal(eq[3]);
    const ne = eq[2].toLowerCase() === 'ne';
    return (rec) => {
      const v = prop === 'id' ? rec.id : (rec.props[prop] ?? null);
      const same = typeof v === 'string' && typeof want === 'string' ? v.toLowerCase() === want.toLowerCase() : v === want;
      return ne ? !same : same;
    };
  }
  throw unsupportedQuery(`Unsupported or invalid query filter clause specified for property '${c.trim()}'.`);
}
