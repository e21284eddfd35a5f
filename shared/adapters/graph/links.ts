// Following Graph's absolute @odata.nextLink / @odata.deltaLink URLs through the SDK client: only links on the
// configured Graph origin are followed (the bearer token never goes to another host), and the link's version
// segment is kept. Works for https://graph.microsoft.com and for a loopback simulator on http alike.
import type { Client, GraphRequest } from '@microsoft/microsoft-graph-client';
import { isNotFound } from './graph-errors.js';

export class ForeignLinkError extends Error {
  constructor(link: string, origin: string) {
    super(`refusing to follow a Graph link outside ${origin}: ${new URL(link).origin}`);
    this.name = 'ForeignLinkError';
  }
}

export function followLink(client: Client, baseOrigin: string, link: string): GraphRequest {
  const url = new URL(link);
  if (url.origin !== new URL(baseOrigin).origin) throw new ForeignLinkError(link, baseOrigin);
  const [, version, ...rest] = url.pathname.split('/');
  if (!version || rest.length === 0) throw new Error(`unexpected Graph link path: ${url.pathname}`);
  return client.api(`/${rest.join('/')}${url.search}`).version(version);
}

/** Reads a paged collection from `first`, following each page's @odata.nextLink; `onPage` gets each parsed page
 *  with its number (from 1) and whether more follow. False when the resource is not found (404). */
export async function readPages<P extends { '@odata.nextLink'?: string | null | undefined }>(
  client: Client,
  baseOrigin: string,
  first: GraphRequest,
  parse: (raw: unknown) => P,
  onPage: (page: P, pageNo: number, more: boolean) => void,
): Promise<boolean> {
  let request = first;
  for (let pageNo = 1; ; pageNo++) {
    let raw: unknown;
    try {
      raw = await request.get();
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    const page = parse(raw);
    const next = page['@odata.nextLink'];
    onPage(page, pageNo, !!next);
    if (!next) return true;
    request = followLink(client, baseOrigin, next);
  }
}
