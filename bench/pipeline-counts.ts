// What a benchmark window cost the cloud side, counted where it happens: Graph requests at the simulator,
// table requests at a counting hop before Azurite, Functions executions and queue messages at the local
// Functions host (one result message per writeback message, so writeback messages are counted by their
// results), notification POSTs at the simulator's delivery queue.
import type { LocalStack } from '../dev/stack/local-stack.js';
import { resultMessageSchema, type ResultMessage } from '../shared/contracts/result-message.js';
import type { TableCounter } from './table-count.js';

export interface PipelineCounts {
  graphHttp: number;
  graphInBatch: number;
  graphByKind: Map<string, number>;
  tableRequests: number;
  tableBatches: number;
  tableByKind: Map<string, number>;
  /** Notification POSTs (attempts, retries included) the simulator made to the webhook. */
  webhookCalls: number;
  /** Of them not answered 2xx within Graph's 3 s (retried, as Graph does). */
  webhookFailures: number;
  /** Queue-triggered executions per function (planChanges, recordResults, ...). */
  executions: Map<string, number>;
  /** Writeback messages the relay applied (= result messages). */
  writebackMessages: number;
}

export class PipelineCounter {
  private executions = new Map<string, number>();
  private results: ResultMessage[] = [];
  private since = Date.now();
  readonly listeners: ((r: ResultMessage) => void)[] = [];

  constructor(
    private readonly stack: LocalStack,
    private readonly tables: TableCounter,
  ) {
    stack.host.onSettled(({ functionName, message }) => {
      this.executions.set(functionName, (this.executions.get(functionName) ?? 0) + 1);
      if (functionName !== 'recordResults') return;
      const parsed = resultMessageSchema.safeParse(message.body);
      if (!parsed.success) return;
      this.results.push(parsed.data);
      for (const l of this.listeners) l(parsed.data);
    });
  }

  /** Results recorded since the last reset. */
  resultsSinceReset(): readonly ResultMessage[] {
    return this.results;
  }

  reset(): void {
    this.executions = new Map();
    this.results = [];
    this.since = Date.now();
    this.stack.sim.requests.reset();
    this.tables.reset();
  }

  snapshot(): PipelineCounts {
    const graph = this.stack.sim.requests.snapshot();
    const tables = this.tables.snapshot();
    return {
      graphHttp: graph.http,
      graphInBatch: graph.inBatch,
      graphByKind: new Map(graph.byKind),
      tableRequests: tables.total,
      tableBatches: tables.batches,
      tableByKind: new Map(tables.byKind),
      ...this.webhookAttempts(),
      executions: new Map(this.executions),
      writebackMessages: this.results.length,
    };
  }

  /** From the simulator's delivery log (it keeps the newest 5,000 deliveries). */
  private webhookAttempts(): Pick<PipelineCounts, 'webhookCalls' | 'webhookFailures'> {
    const attempts = this.stack.sim.control
      .deliveries()
      .filter((d) => d.kind === 'change')
      .flatMap((d) => d.attempts)
      .filter((a) => Date.parse(a.at) >= this.since);
    return { webhookCalls: attempts.length, webhookFailures: attempts.filter((a) => a.status === null || a.status < 200 || a.status > 299).length };
  }
}

/** Rows `kind | count` sorted by count, for a markdown table. */
export function countRows(counts: ReadonlyMap<string, number>): string[][] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => [`\`${k}\``, n.toLocaleString('en-US')]);
}
