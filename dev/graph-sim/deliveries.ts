// Outgoing notification POSTs (change and lifecycle), retried with backoff when the endpoint does not
// answer 2xx in time, like Graph does. Keeps per-delivery stats and tells when nothing is in flight.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Json, JsonObject } from './types.js';

export interface DeliveryOptions {
  /** Graph wants a 2xx within 3 s. */
  timeoutMs: number;
  /** Waits before each retry; attempts = retries + 1. Graph retries for up to 4 hours. */
  retryDelaysMs: number[];
  /** Notifications queued in the same tick to the same URL go in one POST (Graph batches too). */
  batch: boolean;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  timeoutMs: 3000,
  retryDelaysMs: [10_000, 30_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000, 3_600_000, 3_600_000],
  batch: true,
};

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error: string | null;
}

export interface Delivery {
  id: string;
  kind: 'change' | 'lifecycle';
  url: string;
  subscriptionIds: string[];
  payload: { value: JsonObject[] };
  state: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
  lastStatus: number | null;
}

export interface DeliveryStats {
  deliveries: number;
  attempts: number;
  successes: number;
  failures: number;
  pending: number;
  lastStatus: number | null;
}

const MAX_KEPT = 5000;

export class DeliveryQueue {
  options: DeliveryOptions = { ...DEFAULT_DELIVERY_OPTIONS };
  private readonly all: Delivery[] = [];
  private readonly buffers = new Map<string, { kind: Delivery['kind']; url: string; items: { subscriptionId: string; item: JsonObject }[] }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private outstanding = 0;
  /** Change notifications still to be dropped, as Graph drops them after its retries (dropNext). */
  private toDrop = 0;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {}

  /** The next `count` change notifications are never delivered (Graph gave up on them, or lost them). */
  dropNext(count: number): void {
    this.toDrop += count;
  }

  /** Queues one notification item for `url`; items queued in the same tick are sent together. */
  enqueue(kind: Delivery['kind'], url: string, subscriptionId: string, item: JsonObject): void {
    if (this.closed) return;
    if (kind === 'change' && this.toDrop > 0) {
      this.toDrop -= 1;
      this.log.warn({ url, subscriptionId }, 'change notification dropped (failure injection: Graph gave up delivering it)');
      return;
    }
    if (!this.options.batch) {
      this.start({ kind, url, items: [{ subscriptionId, item }] });
      return;
    }
    const key = `${kind} ${url}`;
    const buf = this.buffers.get(key);
    if (buf) {
      buf.items.push({ subscriptionId, item });
      return;
    }
    this.buffers.set(key, { kind, url, items: [{ subscriptionId, item }] });
    this.outstanding += 1;
    setImmediate(() => {
      const b = this.buffers.get(key);
      if (!b) return; // cleared meanwhile
      this.buffers.delete(key);
      this.outstanding -= 1;
      this.start(b);
      this.settle();
    });
  }

  list(): Delivery[] {
    return this.all.map((d) => structuredClone(d));
  }

  stats(): DeliveryStats {
    const attempts = this.all.reduce((n, d) => n + d.attempts.length, 0);
    const last = this.all.flatMap((d) => d.attempts).at(-1);
    return {
      deliveries: this.all.length,
      attempts,
      successes: this.all.filter((d) => d.state === 'delivered').length,
      failures: this.all.filter((d) => d.state === 'failed').length,
      pending: this.all.filter((d) => d.state === 'pending').length,
      lastStatus: last?.status ?? null,
    };
  }

  /** Resolves when nothing is buffered, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  clear(): void {
    // Marking pending deliveries ends their in-flight attempts quietly.
    for (const d of this.all) if (d.state === 'pending') d.state = 'failed';
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.buffers.clear();
    this.all.length = 0;
    this.outstanding = 0;
    this.settle();
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private start(b: { kind: Delivery['kind']; url: string; items: { subscriptionId: string; item: JsonObject }[] }): void {
    const d: Delivery = {
      id: randomUUID(),
      kind: b.kind,
      url: b.url,
      subscriptionIds: [...new Set(b.items.map((i) => i.subscriptionId))],
      payload: { value: b.items.map((i) => i.item) },
      state: 'pending',
      attempts: [],
      lastStatus: null,
    };
    this.all.push(d);
    if (this.all.length > MAX_KEPT) this.all.splice(0, this.all.length - MAX_KEPT);
    this.outstanding += 1;
    void this.attempt(d);
  }

  private async attempt(d: Delivery): Promise<void> {
    const result = await post(d.url, d.payload, this.options.timeoutMs);
    if (this.closed || d.state !== 'pending') return;
    d.attempts.push({ at: this.now().toISOString(), status: result.status, error: result.error });
    d.lastStatus = result.status;
    if (result.status !== null && result.status >= 200 && result.status < 300) {
      d.state = 'delivered';
      this.done();
      return;
    }
    const delay = this.options.retryDelaysMs[d.attempts.length - 1];
    if (delay === undefined) {
      d.state = 'failed';
      this.log.warn({ deliveryId: d.id, url: d.url, attempts: d.attempts.length }, 'notification discarded after retries');
      this.done();
      return;
    }
    this.log.debug({ deliveryId: d.id, status: result.status, error: result.error, retryInMs: delay }, 'notification not accepted, will retry');
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.attempt(d);
    }, delay);
    this.timers.add(t);
  }

  private done(): void {
    this.outstanding -= 1;
    this.settle();
  }

  private settle(): void {
    if (this.outstanding > 0) return;
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}

async function post(url: string, payload: Json, timeoutMs: number): Promise<{ status: number | null; error: string | null }> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status, error: null };
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string } };
    return { status: null, error: e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message ?? 'error') };
  }
}
