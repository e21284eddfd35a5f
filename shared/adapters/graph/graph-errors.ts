// Reading the Graph client's errors without `any`: status code and error code, whatever shape was thrown.
export interface GraphFailure {
  status: number | null;
  code: string | null;
}

export function graphFailure(err: unknown): GraphFailure {
  if (typeof err !== 'object' || err === null) return { status: null, code: null };
  const e = err as { statusCode?: unknown; code?: unknown };
  return {
    status: typeof e.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : null,
    code: typeof e.code === 'string' ? e.code : null,
  };
}

/** The `error.code` of a Graph error body (e.g. an inner $batch answer), if it has one. */
export function graphErrorCode(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : null;
}

export function isNotFound(err: unknown): boolean {
  return graphFailure(err).status === 404;
}

/** Delta token refused: 410 Gone (Location = fresh start), 400 syncStateNotFound (expired), resyncRequired. */
export function deltaResetReason(err: unknown): string | null {
  const f = graphFailure(err);
  if (f.status === 410) return `410 Gone${f.code ? ` (${f.code})` : ''}`;
  if (f.code === 'syncStateNotFound' || f.code === 'resyncRequired') return `${f.status ?? '?'} ${f.code}`;
  return null;
}
