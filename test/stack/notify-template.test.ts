import { NOTICE_TYPES } from '../../lib/notify/notice';
import { packageTemplate, type CfnTemplate } from './package-template';

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

describe('the notify function in the packaged template (sls package, offline)', () => {
  let t: CfnTemplate;
  beforeAll(async () => {
    t = await packageTemplate('notify');
  }, 240_000);

  it('consumes the notify queue in batches, fed by a bus rule for the notice detail-types and failed actions', () => {
    const mapping = Object.values(t.Resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties.EventSourceArn).includes('NotifyQueue'));
    expect(mapping?.Properties).toMatchObject({ BatchSize: 1000, MaximumBatchingWindowInSeconds: 60, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const rule = t.Resources.NotifyRule!;
    expect(rule.Properties.EventBusName).toEqual({ Ref: 'AutomationBus' });
    const pattern = rule.Properties.EventPattern as { source: string[]; $or: { 'detail-type': string[]; detail?: unknown }[] };
    expect(pattern.source).toEqual(['cloud-automation']);
    // every detail-type notify reads (lib/notify/notice.ts), failed actions through the second branch
    expect([...pattern.$or[0]!['detail-type']].sort()).toEqual(NOTICE_TYPES.filter((t) => t !== 'Automation Action').sort());
    expect(pattern.$or[1]).toEqual({ 'detail-type': ['Automation Action'], detail: { outcome: ['failed'] } });
    // channel secrets are read through the parameter cache of this age: a rotated webhook lands within it
    expect((t.Resources.NotifyLambdaFunction!.Properties.Environment as { Variables: Record<string, unknown> }).Variables.POWERTOOLS_PARAMETERS_MAX_AGE).toBe('300');
    expect(t.Resources.NotifyQueue!.Properties.RedrivePolicy).toMatchObject({ deadLetterTargetArn: { 'Fn::GetAtt': ['NotifyFailureQueue', 'Arn'] } });
  });

  it('has its own least-privilege role: no update or delete on the audit table, SES identities only', () => {
    const fn = t.Resources.NotifyLambdaFunction!;
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': ['NotifyRole', 'Arn'] });
    const statements = (t.Resources.NotifyRole!.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:UpdateItem']));
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).toEqual(expect.arrayContaining(['ses:SendEmail', 'sqs:SendMessage', 'dynamodb:PutItem', 'ssm:GetParameter']));
    expect(statements.every((s) => s.Resource !== '*')).toBe(true);
  });
});
