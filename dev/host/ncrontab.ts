// NCRONTAB schedules as the Functions timer trigger reads them: six fields
// `{second} {minute} {hour} {day} {month} {day-of-week}`, each `*`, `n`, `a-b`, `*/s`, `a-b/s`, `n/s` or a
// comma list; month names JAN-DEC and day names SUN-SAT; evaluated in UTC (WEBSITE_TIME_ZONE unset).
// Day and day-of-week must BOTH match (NCrontab semantics, unlike Vixie cron's OR).
// Also the TimeSpan form `hh:mm:ss` (an interval, allowed on App Service plans).

export type Schedule =
  | { kind: 'cron'; fields: [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>] }
  | { kind: 'interval'; ms: number };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesFrom?: number;
}

const SPECS: FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day-of-week', min: 0, max: 6, names: DAYS, namesFrom: 0 },
];

function value(text: string, spec: FieldSpec): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (spec.namesFrom ?? 0);
  if (!/^\d+$/.test(text)) throw new Error(`${spec.name}: '${text}' is not a number`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) throw new Error(`${spec.name}: ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

function field(text: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    if (range === undefined || range === '') throw new Error(`${spec.name}: empty item in '${text}'`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`${spec.name}: bad step in '${part}'`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = spec.min;
      hi = spec.max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = value(a ?? '', spec);
      hi = value(b ?? '', spec);
      if (lo > hi) throw new Error(`${spec.name}: range '${range}' runs backwards`);
    } else {
      lo = value(range, spec);
      hi = stepText === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseSchedule(expression: string): Schedule {
  const text = expression.trim();
  const span = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  if (span !== null) {
    const ms = ((Number(span[1]) * 60 + Number(span[2])) * 60 + Number(span[3])) * 1000;
    if (ms <= 0) throw new Error(`schedule '${expression}': interval must be positive`);
    return { kind: 'interval', ms };
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 6) throw new Error(`schedule '${expression}': NCRONTAB needs 6 fields (with seconds), got ${parts.length}`);
  const sets = parts.map((p, i) => field(p, SPECS[i]!));
  return { kind: 'cron', fields: sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>] };
}

/** The first occurrence strictly after `after` (UTC). Throws when none exists within 5 years (e.g. 31 FEB). */
export function nextOccurrence(schedule: Schedule, after: Date): Date {
  if (schedule.kind === 'interval') return new Date(after.getTime() + schedule.ms);
  const [sec, min, hour, day, month, dow] = schedule.fields;
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!month.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!day.has(t.getUTCDate()) || !dow.has(t.getUTCDay())) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!hour.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!min.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    if (!sec.has(t.getUTCSeconds())) {
      t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
      continue;
    }
    return t;
  }
  throw new Error('schedule has no occurrence within 5 years');
}
