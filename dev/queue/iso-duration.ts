// ISO 8601 durations as Service Bus and Bicep write queue settings (PT2M, PT1H, P14D, PT0.5S) -> milliseconds.
// Days and time parts only: years, months and weeks have no fixed length or do not occur in queue settings.

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function isoDurationMs(duration: string): number {
  const match = DURATION.exec(duration);
  // "P" and "PT" match the pattern but name no duration.
  if (!match || duration === 'P' || duration.endsWith('T')) {
    throw new RangeError(`not an ISO 8601 duration of days, hours, minutes and seconds: ${duration}`);
  }
  const [days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
  return Math.round((((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000);
}
