import { createRequire } from 'node:module';

// resources/iam-roles.cjs as serverless.yml calls it, with custom.functionTargets set.
const roles = createRequire(import.meta.url)('../../resources/iam-roles.cjs') as (ctx: { resolveVariable: (v: string) => Promise<unknown> }) => Promise<{
  Resources: Record<string, { Properties: { Policies: { PolicyDocument: { Statement: { Action: string[]; Resource: unknown[] }[] } }[] } }>;
}>;

const build = (functionTargets: unknown) =>
  roles({
    resolveVariable: async (v) => {
      if (v === 'self:custom.parameterPath') return '/cloud-automation/prod';
      if (v.startsWith('self:custom.functionTargets')) return functionTargets;
      throw new Error(`unexpected variable ${v}`);
    },
  });
const ssmOf = (r: Awaited<ReturnType<typeof build>>, role: string) =>
  r.Resources[role]!.Properties.Policies[0]!.PolicyDocument.Statement.filter((s) => s.Action.includes('ssm:GetParameter')).flatMap((s) => s.Resource.map((x) => (x as { 'Fn::Sub': string })['Fn::Sub'].replace(/^.*:parameter/, '')));

describe('resources/iam-roles.cjs: SSM reads per function', () => {
  it('narrows an automation to the targets custom.functionTargets gives it; the others keep every target', async () => {
    const r = await build({ snapshots: ['kec-prod', 'apsara-prod'] });
    expect(ssmOf(r, 'SnapshotsRole')).toEqual(['/cloud-automation/prod/config', '/cloud-automation/prod/targets/kec-prod/*', '/cloud-automation/prod/targets/apsara-prod/*']);
    expect(ssmOf(r, 'AutoDashdeleteRole')).toEqual(['/cloud-automation/prod/config', '/cloud-automation/prod/targets/*']);
    expect(ssmOf(r, 'IngestRole')).toEqual(['/cloud-automation/prod/ingest/hmac-secret']);
  });

  it('refuses a target name that would widen the path, naming the setting', async () => {
    await expect(build({ snapshots: ['kec-prod/../..'] })).rejects.toThrow(/custom.functionTargets.snapshots: "kec-prod\/..\/.." is not a target name/);
  });
});
