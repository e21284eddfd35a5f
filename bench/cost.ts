// What a number of changes costs in Azure, scaled from the counts one benchmark run measured per change.
// Prices are list prices assumed for one region and date (PRICES_ASSUMED); the counts are what the local
// pipeline did, so the estimate is as good as the local pipeline is like the deployed one (BENCHMARKS.md,
// "What limits the figures", says where it differs).
import type { PipelineCounts } from './pipeline-counts.js';
import { markdownTable } from './report.js';
import { fmt } from './stats.js';

/** US dollars, pay-as-you-go list prices, East US, as looked up on 2026-11-30. */
export const PRICES_ASSUMED = {
  region: 'East US',
  date: '2026-11-30',
  /** Functions Flex Consumption, on demand: per million executions (after a monthly free grant of 250,000). */
  functionsPerMillionExecutions: 0.4,
  /** Service Bus Standard: per million operations between 13 M and 100 M a month (13 M included in the
   *  base charge of about $10 a month). Premium has no per-operation price (about $677 per messaging unit
   *  a month). */
  serviceBusStandardPerMillionOps: 0.8,
  /** Table storage (Standard, LRS): per 10,000 transactions. */
  tablePer10kTransactions: 0.00036,
} as const;

/** Service Bus operations per message: send, receive, complete (every API call is an operation). */
export const SERVICE_BUS_OPS_PER_MESSAGE = 3;

export interface ChangeCounts {
  executions: number;
  messages: number;
  tableTransactions: number;
  graphCalls: number;
}

/** Per change, from one run's counts: executions are the webhook's (every POST attempt) and every
 *  queue-triggered run; messages are the queue-triggered runs' (pokes, results) and the writeback messages. */
export function perChange(c: PipelineCounts, changes: number): ChangeCounts {
  const queueRuns = [...c.executions.values()].reduce((a, b) => a + b, 0);
  return {
    executions: (c.webhookCalls + queueRuns) / changes,
    messages: (queueRuns + c.writebackMessages) / changes,
    tableTransactions: c.tableRequests / changes,
    graphCalls: (c.graphHttp + c.graphInBatch) / changes,
  };
}

/** A markdown table: what `total` changes like these cost. */
export function costTable(per: ChangeCounts, total: number): string {
  const p = PRICES_ASSUMED;
  const executions = per.executions * total;
  const ops = per.messages * total * SERVICE_BUS_OPS_PER_MESSAGE;
  const transactions = per.tableTransactions * total;
  const graph = per.graphCalls * total;
  const usd = (n: number): string => `$${fmt(n, 2)}`;
  const costs = {
    functions: (executions / 1e6) * p.functionsPerMillionExecutions,
    serviceBus: (ops / 1e6) * p.serviceBusStandardPerMillionOps,
    tables: (transactions / 1e4) * p.tablePer10kTransactions,
  };
  return markdownTable(
    ['Item', `Per change`, `For ${fmt(total)} changes`, 'Cost'],
    [
      ['Functions executions (webhook POSTs, planChanges, recordResults)', fmt(per.executions, 2), fmt(executions), `${usd(costs.functions)} (Flex Consumption, $${p.functionsPerMillionExecutions} per million; execution time extra)`],
      [`Service Bus operations (${SERVICE_BUS_OPS_PER_MESSAGE} per message)`, fmt(per.messages * SERVICE_BUS_OPS_PER_MESSAGE, 2), fmt(ops), `${usd(costs.serviceBus)} (Standard, $${p.serviceBusStandardPerMillionOps} per million past the 13 M included)`],
      ['Table transactions', fmt(per.tableTransactions, 2), fmt(transactions), `${usd(costs.tables)} ($${p.tablePer10kTransactions} per 10,000)`],
      ['Graph calls (HTTP and inside $batch)', fmt(per.graphCalls, 2), fmt(graph), 'no charge (counts against throttling limits)'],
      ['**Total (usage-based part)**', '', '', `**${usd(costs.functions + costs.serviceBus + costs.tables)}**`],
    ],
  );
}
