// How values read in a table: times as UTC without milliseconds, counts with thousands separators,
// missing values as "-", long text cut to the column.

export function when(iso: string | null): string {
  if (iso === null) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : n.toLocaleString('en-US');
}

export function text(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : value;
}

export function cut(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, Math.max(1, max - 3))}...`;
}

/** "1m 22s", "3h 05m": a duration for people. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "Sales (0b1c...)" or the id alone. */
export function groupName(displayName: string | null, groupId: string): string {
  return displayName === null ? groupId : `${displayName} (${groupId})`;
}

/** The relay's progress on a big change set: "120,000 of about 250,000 members (2,000/s), part 70 of 180". */
export function progressText(p: { done: number; total: number; perSecond: number; stage: string }): string {
  return `${count(p.done)} of about ${count(p.total)} members (${count(p.perSecond)}/s), ${p.stage}`;
}

/** A state with the share a big change set has written so far: "pending 48%". */
export function stateText(state: string, p: { done: number; total: number } | null): string {
  if (p === null || p.total <= 0) return state;
  return `${state} ${Math.min(100, Math.floor((100 * p.done) / p.total))}%`;
}
