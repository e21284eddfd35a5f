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
