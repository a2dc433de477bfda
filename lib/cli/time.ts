import type { AutomationConfig } from '../config';

/** The zone times are shown in: `display.timezone`, else the policies' zone (snapshot schedules), else UTC. */
export function displayZone(config: AutomationConfig): string {
  return config.display?.timezone ?? config.policies.snapshots[0]?.schedule.timezone ?? 'UTC';
}

/** `2026-11-24 11:00 +08:00`: the instant in the zone, offset shown (seconds only when not zero). */
export function formatTime(iso: string | Date, zone: string): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return String(iso);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const offset = (parts.timeZoneName ?? '').replace('GMT', '') || '+00:00';
  const seconds = parts.second && parts.second !== '00' ? `:${parts.second}` : '';
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}${seconds} ${offset}`;
}

/** The zone's offset now, e.g. `+08:00`. */
export function zoneOffset(zone: string, at: Date): string {
  return formatTime(at, zone).split(' ').pop()!;
}

const UTC_ISO = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z\b/g;

/** Rewrites the UTC times inside a text (reasons carry them) into the display zone. */
export function localizeTimes(text: string, zone: string | undefined): string {
  return zone ? text.replace(UTC_ISO, (iso) => formatTime(iso, zone)) : text;
}
