// "@odata.id" / "members@odata.bind" references: https://graph.microsoft.com/v1.0/directoryObjects/{id}.
import { isGuid } from '../../../shared/domain/ids.js';
import { badRequest } from '../errors.js';
import type { Json } from '../types.js';

export function idFromReference(ref: Json | undefined): string {
  if (typeof ref !== 'string' || ref.length === 0) throw badRequest('Invalid reference: "@odata.id" must be a URL of a directory object.');
  const m = /\/(?:directoryObjects|users|groups|devices|servicePrincipals|contacts)\/([^/?]+)\/?$/i.exec(ref);
  const id = m?.[1] ?? (isGuid(ref) ? ref : undefined);
  if (!id) throw badRequest(`Invalid object identifier '${ref}'.`);
  return decodeURIComponent(id);
}
