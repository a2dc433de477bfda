import type { NotificationsConfig, RouteConfig } from '../config/notifications';
import { OPT_IN_TYPES, type Notice } from './notice';

/** The channel names a notice goes to (each at most once), in config order. */
export function routeNotice(notice: Notice, config: NotificationsConfig): string[] {
  const all = config.channels.map((c) => c.name);
  // digests repeat the run's notices and "ready" is all-is-well: only a route that names them sends them
  if (!config.routes) return OPT_IN_TYPES.includes(notice.type) ? [] : all;
  const out = new Set<string>();
  for (const route of config.routes) {
    if (!matches(route, notice)) continue;
    const owner = notice.owner !== null ? config.owners[notice.owner] : undefined;
    // an owner with channels reads there; an owner without an entry falls back to the route's channels
    if (route.toOwner && owner && owner.channels.length > 0) owner.channels.forEach((c) => out.add(c));
    else route.channels.forEach((c) => out.add(c));
  }
  return all.filter((c) => out.has(c));
}

function matches(route: RouteConfig, n: Notice): boolean {
  const m = route.match;
  const any = <T>(list: T[] | undefined, value: T) => list === undefined || list.includes(value);
  if (OPT_IN_TYPES.includes(n.type) && !m.detailTypes?.includes(n.type)) return false;
  return (
    any(m.detailTypes, n.type) &&
    any(m.functions, n.function) &&
    any(m.policies, n.policy) &&
    any(m.targets, n.target) &&
    any(m.severities, n.severity) &&
    (m.owners === undefined || (n.owner !== null && m.owners.includes(n.owner)))
  );
}
