// Reads the pipeline's own log lines (pino JSON) for what the planner did: rounds it ran, with their
// reports, and pokes it coalesced. Lines go on to stderr from `echoLevel` up, so warnings stay visible.
import type { DestinationStream } from 'pino';

export interface RoundRecord {
  /** When planning began: the round's delta and reads were done (epoch ms, its log line). */
  planningAt: number;
  /** When the round was done (epoch ms). */
  at: number;
  mode: string;
  reason: string;
  groupsInDelta: number;
  groupsPlanned: number;
  messagesSent: number;
  deltaPages: number;
}

export interface ProgressRecord {
  at: number;
  planned: number;
  of: number;
  messages: number;
}

const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export class RoundLog implements DestinationStream {
  readonly rounds: RoundRecord[] = [];
  readonly progress: ProgressRecord[] = [];
  servedPokes = 0;
  deferredPokes = 0;
  /** When the last poke was coalesced (epoch ms). */
  lastCoalescedAt = 0;
  private planningAt = 0;
  private readonly echoFrom: number;

  constructor(
    echoLevel: string,
    private readonly onProgress?: (p: ProgressRecord) => void,
  ) {
    this.echoFrom = LEVELS[echoLevel] ?? 40;
  }

  write(line: string): void {
    // Only lines this cares about are parsed: the pipeline logs a line per message at info.
    const interesting = line.includes('delta round') || line.includes('poke coalesced');
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (level !== undefined && Number(level) >= this.echoFrom) process.stderr.write(line);
    if (!interesting) return;
    const entry = JSON.parse(line) as Record<string, unknown>;
    const num = (k: string): number => (typeof entry[k] === 'number' ? entry[k] : 0);
    const at = num('time') || Date.now();
    switch (entry['msg']) {
      case 'delta round planning':
        this.planningAt = at;
        break;
      case 'delta round done':
        this.rounds.push({ planningAt: this.planningAt, at, mode: String(entry['mode']), reason: String(entry['reason']), groupsInDelta: num('groupsInDelta'), groupsPlanned: num('groupsPlanned'), messagesSent: num('messagesSent'), deltaPages: num('deltaPages') });
        break;
      case 'delta round progress': {
        const p = { at, planned: num('planned'), of: num('of'), messages: num('messages') };
        this.progress.push(p);
        this.onProgress?.(p);
        break;
      }
      case 'poke coalesced: a round that started after it arrived served it':
        this.servedPokes += 1;
        this.lastCoalescedAt = at;
        break;
      case 'poke coalesced into the queued follow-up round':
        this.deferredPokes += 1;
        this.lastCoalescedAt = at;
        break;
    }
  }

  reset(): void {
    this.rounds.length = 0;
    this.progress.length = 0;
    this.servedPokes = 0;
    this.deferredPokes = 0;
    this.lastCoalescedAt = 0;
  }
}
