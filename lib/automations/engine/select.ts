import type { Instance } from '../../vendors/core';
import { parseIsoWithZone } from '../../vendors/core';

export interface Selector {
  tags?: Record<string, string>;
  names?: string[];
  ids?: string[];
  projects?: string[];
  chargeTypes?: Instance['chargeType'][];
}

export interface Exemptions {
  tag: string;
  entries: { id: string; until?: string; reason?: string }[];
}

/** `*` matches any run of characters; everything else literally. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** Compiled name globs: selectors are tested once per listed instance; globs come from the config, so few. */
const compiledGlobs = new Map<string, RegExp>();

function nameMatches(glob: string, name: string): boolean {
  let re = compiledGlobs.get(glob);
  if (!re) {
    if (compiledGlobs.size >= 1000) compiledGlobs.clear(); // bounded, should globs ever come from events
    re = globToRegExp(glob);
    compiledGlobs.set(glob, re);
  }
  return re.test(name); // no `g` flag: test() keeps no state between instances
}

/** Every present criterion must hold (AND); within one criterion any value may match (OR). */
export function matchesSelector(instance: Pick<Instance, 'id' | 'name' | 'tags' | 'project' | 'chargeType'>, selector: Selector): boolean {
  if (selector.ids?.length && !selector.ids.includes(instance.id)) return false;
  if (selector.names?.length && !selector.names.some((g) => nameMatches(g, instance.name))) return false;
  if (selector.projects?.length && !(instance.project !== undefined && selector.projects.includes(instance.project))) return false;
  if (selector.chargeTypes?.length && !selector.chargeTypes.includes(instance.chargeType)) return false;
  for (const [key, value] of Object.entries(selector.tags ?? {})) {
    const actual = instance.tags[key];
    if (actual === undefined || (value !== '*' && actual !== value)) return false;
  }
  return true;
}

export interface ExemptionVerdict {
  exempt: boolean;
  reason?: string;
}

/**
 * Exempt by config entry (until an optional expiry) or by tag (`true`, or an ISO expiry).
 * An unreadable exemption tag is honoured as an exemption: a typo must not get a server deleted.
 */
export function exemptionFor(resource: { id: string; tags?: Record<string, string> }, exemptions: Exemptions, now: Date): ExemptionVerdict {
  const entry = exemptions.entries.find((e) => e.id === resource.id);
  if (entry) {
    if (!entry.until || Date.parse(entry.until) > now.getTime()) {
      return { exempt: true, reason: `exempt by config${entry.until ? ` until ${entry.until}` : ''}${entry.reason ? `: ${entry.reason}` : ''}` };
    }
  }
  const value = resource.tags?.[exemptions.tag];
  if (value === undefined) return { exempt: false };
  if (value.trim().toLowerCase() === 'true') return { exempt: true, reason: `exempt by tag ${exemptions.tag}=true` };
  try {
    const until = parseIsoWithZone(value);
    if (Date.parse(until) > now.getTime()) return { exempt: true, reason: `exempt by tag ${exemptions.tag} until ${until}` };
    return { exempt: false, reason: `exemption tag ${exemptions.tag} expired at ${until}` };
  } catch {
    return { exempt: true, reason: `exemption tag ${exemptions.tag}=${JSON.stringify(value)} is not "true" or an ISO time; honoured as an exemption` };
  }
}
