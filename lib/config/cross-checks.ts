import type { z } from 'zod';

/**
 * Checks that span fields (target names unique, policy references exist, ...). They run even
 * when other parts of the file are invalid, so the input is read defensively: whatever is
 * malformed here has already been reported by the field schemas.
 */

type Ctx = z.core.$RefinementCtx<unknown>;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

interface KnownTarget {
  vendor: unknown;
  regions: string[];
}

export function checkCrossFields(value: unknown, ctx: Ctx): void {
  if (!isObj(value)) return;
  const targets = new Map<string, KnownTarget>();

  list(value.targets).forEach((t, i) => {
    if (!isObj(t) || typeof t.name !== 'string') return;
    if (targets.has(t.name)) {
      issue(ctx, ['targets', i, 'name'], `duplicate target name "${t.name}": target names must be unique`);
      return;
    }
    targets.set(t.name, { vendor: t.vendor, regions: strings(t.regions) ?? [] });
  });

  const policies = isObj(value.policies) ? value.policies : {};
  for (const [key, entries] of Object.entries(policies)) {
    const seen = new Set<string>();
    list(entries).forEach((p, i) => {
      if (!isObj(p)) return;
      const at = ['policies', key, i];
      if (typeof p.name === 'string') {
        if (seen.has(p.name))
          issue(
            ctx,
            [...at, 'name'],
            `duplicate policy name "${p.name}" in policies.${key}: names must be unique per function`,
          );
        seen.add(p.name);
      }
      checkPolicy(ctx, at, p, targets);
    });
  }
}

function checkPolicy(ctx: Ctx, at: (string | number)[], p: Obj, targets: Map<string, KnownTarget>): void {
  const named = strings(p.targets);
  const applies: [string, KnownTarget][] = [];
  if (named) {
    named.forEach((n, j) => {
      const t = targets.get(n);
      if (t) applies.push([n, t]);
      else issue(ctx, [...at, 'targets', j], `unknown target "${n}"; configured targets: ${known(targets)}`);
    });
  } else {
    applies.push(...targets);
  }

  const regions = strings(p.regions);
  if (regions && applies.length > 0) {
    regions.forEach((r, j) => {
      if (!applies.some(([, t]) => t.regions.includes(r)))
        issue(
          ctx,
          [...at, 'regions', j],
          `region "${r}" is not in the regions of the targets this policy applies to`,
        );
    });
  }

  const selector = isObj(p.selector) ? p.selector : undefined;
  if (selector && isObj(selector.tags) && Object.keys(selector.tags).length > 0) {
    const kec = applies.filter(([, t]) => t.vendor === 'kec').map(([n]) => n);
    if (kec.length > 0)
      issue(
        ctx,
        [...at, 'selector', 'tags'],
        `KEC has no tags: select by names, ids or projects (this policy applies to KEC target${kec.length > 1 ? 's' : ''} ${kec.map((n) => `"${n}"`).join(', ')}; list its targets to leave them out)`,
      );
  }

  list(p.watches).forEach((w, j) => {
    if (!isObj(w)) return;
    if (typeof w.target === 'string') {
      const t = targets.get(w.target);
      if (!t)
        issue(
          ctx,
          [...at, 'watches', j, 'target'],
          `unknown target "${w.target}"; configured targets: ${known(targets)}`,
        );
      else if (named && !named.includes(w.target))
        issue(
          ctx,
          [...at, 'watches', j, 'target'],
          `target "${w.target}" is not one of this policy's targets`,
        );
      else if (typeof w.region === 'string' && !t.regions.includes(w.region))
        issue(
          ctx,
          [...at, 'watches', j, 'region'],
          `region "${w.region}" is not one of target "${w.target}"'s regions`,
        );
    }
  });
}

const known = (targets: Map<string, KnownTarget>) =>
  targets.size ? [...targets.keys()].map((n) => `"${n}"`).join(', ') : '(none)';

function issue(ctx: Ctx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message, params: { crossField: true } });
}
