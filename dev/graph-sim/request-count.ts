// Counts the Graph requests the simulator served, by kind (method and path with ids folded), so a benchmark
// can say how many Graph calls a burst or an initial sync cost. A $batch is one HTTP request; its inner
// requests are counted too, apart, because Graph's throttling counts each of them.
export interface RequestCounts {
  /** HTTP requests to /v1.0 or /beta (a $batch counts once). */
  http: number;
  /** Requests inside $batch bodies. */
  inBatch: number;
  /** Per kind, e.g. `GET /v1.0/groups/{id}/members`: HTTP requests and inner requests alike. */
  byKind: ReadonlyMap<string, number>;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** `GET /v1.0/groups/{id}`: ids folded so calls of one kind land on one key. */
export function requestKind(method: string, version: string, path: string): string {
  return `${method} /${version}${path.replace(GUID, '{id}').replace(/\/$/, '')}`;
}

export class RequestCounter {
  private http = 0;
  private inBatch = 0;
  private readonly byKind = new Map<string, number>();

  count(kind: string, inBatch: boolean): void {
    if (inBatch) this.inBatch += 1;
    else this.http += 1;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
  }

  snapshot(): RequestCounts {
    return { http: this.http, inBatch: this.inBatch, byKind: new Map(this.byKind) };
  }

  reset(): void {
    this.http = 0;
    this.inBatch = 0;
    this.byKind.clear();
  }
}
