// Applies a snapshot whose parts are all at hand, through the relay's snapshot stream as the session
// processor drives it part by part (relay/apply/snapshot-stream.ts): one result per part.
import type { ApplyEnv, ApplyResult } from '../../relay/apply/apply-result.js';
import { SnapshotStream, type SnapshotPart } from '../../relay/apply/snapshot-stream.js';

/** `complete: false` when parts are missing: members are added, nothing is removed ('SnapshotIncomplete'). */
export async function applySnapshot(env: ApplyEnv, parts: readonly SnapshotPart[], complete: boolean): Promise<{ results: ApplyResult[] }> {
  const first = parts[0];
  if (!first) return { results: [] };
  const stream = await SnapshotStream.begin(env, first);
  for (const part of parts) await stream.apply(part);
  const have = new Set(parts.map((p) => p.part));
  const missing = Array.from({ length: first.parts }, (_, i) => i + 1).filter((p) => !have.has(p));
  const byPart = await stream.finish(complete, missing);
  return { results: parts.map((p) => byPart.get(p.part)!) };
}
