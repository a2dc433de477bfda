import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { functionNames } from '../config';
import { RefusedError, UsageError } from './errors';

export const PLAN_KIND = 'cloud-automation-plan';

/** One action `apply` will take: its idempotency key identifies it exactly (function, policy, scope, resource, action, slot). */
const plannedActionSchema = z.object({
  key: z.string(),
  policy: z.string(),
  target: z.string(),
  region: z.string(),
  resource: z.string(),
  action: z.string(),
  reason: z.string(),
});
export type PlannedActionEntry = z.infer<typeof plannedActionSchema>;

export const planFileSchema = z.object({
  kind: z.literal(PLAN_KIND),
  version: z.literal(1),
  /** Wall-clock time the plan was made. */
  createdAt: z.iso.datetime(),
  /** Business time the plan was made for; apply uses the same. */
  now: z.iso.datetime(),
  config: z.object({ path: z.string(), sha256: z.string() }),
  targets: z.array(z.string()).optional(),
  functions: z.array(
    z.object({
      function: z.enum(functionNames as [string, ...string[]]),
      /** The policies apply enforces (passed by name, so a named dry-run policy was chosen with --override-mode). */
      policies: z.array(z.string()),
      actions: z.array(plannedActionSchema),
    }),
  ),
});
export type PlanFile = z.infer<typeof planFileSchema>;

/** A saved plan older than this is refused: the fleet and the business time have moved on. */
export const PLAN_MAX_AGE_MS = 24 * 3_600_000;

export function configDigest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function writePlanFile(path: string, plan: PlanFile): void {
  writeFileSync(path, `${JSON.stringify(plan, null, 2)}\n`);
}

export function readPlanFile(path: string): PlanFile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read the plan file ${path}: ${(e as Error).message}; make one with \`plan --out ${path}\``);
  }
  const parsed = planFileSchema.safeParse(data);
  if (!parsed.success)
    throw new UsageError(`${path} is not a plan file made by \`cloud-automation plan --out\`: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The saved plan still describes the world: same config file, not too old. */
export function checkPlanFresh(plan: PlanFile, configPath: string, now: Date): void {
  if (configDigest(configPath) !== plan.config.sha256) throw new RefusedError(`the config ${configPath} changed since the plan was made; nothing applied. Make a new plan.`);
  const age = now.getTime() - Date.parse(plan.createdAt);
  if (age > PLAN_MAX_AGE_MS) throw new RefusedError(`the plan is ${Math.round(age / 3_600_000)} h old (at most ${PLAN_MAX_AGE_MS / 3_600_000} h); nothing applied. Make a new plan.`);
}

/** Differences between a saved plan's actions and a fresh plan's: empty when nothing changed. */
export function planDifferences(saved: PlannedActionEntry[], fresh: PlannedActionEntry[]): string[] {
  const savedKeys = new Set(saved.map((a) => a.key));
  const freshKeys = new Set(fresh.map((a) => a.key));
  const describe = (a: PlannedActionEntry) => `${a.action} ${a.resource} (${a.policy}, ${a.target}/${a.region})`;
  return [
    ...fresh.filter((a) => !savedKeys.has(a.key)).map((a) => `+ ${describe(a)}: now planned, not in the saved plan`),
    ...saved.filter((a) => !freshKeys.has(a.key)).map((a) => `- ${describe(a)}: in the saved plan, no longer planned`),
  ];
}
