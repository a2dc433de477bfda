import { AUDIT_TTL_ATTRIBUTE, auditTableDefinition } from '../../lib/audit/dynamo-store';
import { functionNames } from '../../lib/config/schema';
import { packageTemplate, resourcesOfType, type CfnTemplate } from './package-template';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const mentions = (value: unknown, logicalId: string) => JSON.stringify(value).includes(`"${logicalId}`);

/** The framework's logical-id naming: auto-delete → AutoDashdelete. */
const logical = (fn: string) => {
  const n = fn.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return n[0]!.toUpperCase() + n.slice(1);
};
const ALL_FUNCTIONS = [...functionNames, 'ingest', '_empty'];

describe('the packaged CloudFormation template (sls package, offline)', () => {
  let t: CfnTemplate;
  beforeAll(async () => {
    t = await packageTemplate('test');
  }, 240_000);

  const policyOf = (fn: string): Statement[] => {
    const fnRes = t.Resources[`${logical(fn)}LambdaFunction`]!;
    const roleId = (fnRes.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = t.Resources[roleId]!;
    const policies = role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
    return policies.flatMap((p) => p.PolicyDocument.Statement);
  };

  it('has one function per automation plus ingest, each with its own role, and no shared default role', () => {
    const fns = resourcesOfType(t, 'AWS::Lambda::Function').map(([id]) => id);
    for (const fn of ALL_FUNCTIONS) expect(fns).toContain(`${logical(fn)}LambdaFunction`);
    const roles = ALL_FUNCTIONS.map((fn) => JSON.stringify(t.Resources[`${logical(fn)}LambdaFunction`]!.Properties.Role));
    expect(new Set(roles).size).toBe(ALL_FUNCTIONS.length);
    expect(t.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('has the custom bus, and the functions are told to publish there', () => {
    const buses = resourcesOfType(t, 'AWS::Events::EventBus');
    expect(buses).toHaveLength(1);
    const busName = buses[0]![1].Properties.Name;
    expect(busName).toBe('cloud-automation-test');
    for (const fn of functionNames) {
      const env = (t.Resources[`${logical(fn)}LambdaFunction`]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.AUTOMATION_BUS).toBe(busName);
      expect(env.AUTOMATION_AUDIT_TABLE).toBe(t.Resources.AuditTable!.Properties.TableName);
      expect(env.AUTOMATION_CONFIG).toBe('ssm:/cloud-automation/test/config');
    }
  });

  it('has the audit table: on demand, PITR, deletion protection, retained, keys and indexes of auditTableDefinition', () => {
    const table = t.Resources.AuditTable!;
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      AttributeDefinitions: auditTableDefinition.AttributeDefinitions,
      KeySchema: auditTableDefinition.KeySchema,
      GlobalSecondaryIndexes: auditTableDefinition.GlobalSecondaryIndexes,
      TimeToLiveSpecification: { AttributeName: AUDIT_TTL_ATTRIBUTE, Enabled: true },
    });
  });

  it('schedules every automation through EventBridge Scheduler with an explicit time zone', () => {
    const schedules = resourcesOfType(t, 'AWS::Scheduler::Schedule');
    for (const fn of functionNames) expect(schedules.some(([, s]) => mentions(s.Properties.Target, `${logical(fn)}LambdaFunction`))).toBe(true);
    for (const [id, s] of schedules) {
      expect([id, typeof s.Properties.ScheduleExpressionTimezone]).toEqual([id, 'string']);
      expect(JSON.parse((s.Properties.Target as { Input: string }).Input)).toMatchObject({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event' });
    }
    // the scheduler's role may invoke the automations, and nothing else
    const role = t.Resources.SchedulerInvokeRole!;
    const statements = (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[])[0]!.PolicyDocument.Statement;
    expect(statements.flatMap(actions)).toEqual(['lambda:InvokeFunction']);
  });

  it('routes normalised cloud events on our bus to the functions', () => {
    const rules = resourcesOfType(t, 'AWS::Events::Rule').map(([, r]) => r.Properties as { EventBusName: unknown; EventPattern: { source: unknown; 'detail-type': string[] }; Targets: unknown });
    const routed = (type: string, fn: string) =>
      rules.some((r) => r.EventPattern['detail-type'].includes(type) && mentions(r.Targets, `${logical(fn)}LambdaFunction`) && mentions(r.EventBusName, 'AutomationBus'));
    expect(routed('Instance Created', 'auto-delete')).toBe(true);
    expect(routed('Instance Deleted', 'recycle-bin')).toBe(true);
    expect(routed('Spot Interruption', 'spot-prices')).toBe(true);
    // the rules that invoke functions take vendor events; the notify rule (notices, to its queue) is checked in notify-template.test.ts
    for (const r of rules.filter((x) => JSON.stringify(x.Targets).includes('LambdaFunction'))) expect(r.EventPattern.source).toEqual([{ prefix: 'cloud-automation.' }]);
  });

  it('sends failed async invocations to the SQS queue after a limited number of retries', () => {
    expect(t.Resources.AsyncFailureQueue?.Type).toBe('AWS::SQS::Queue');
    for (const fn of functionNames) {
      const conf = t.Resources[`${logical(fn)}LambdaEvConf`]!;
      expect(conf.Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['AsyncFailureQueue', 'Arn'] } } } });
      expect(policyOf(fn).some((s) => actions(s).includes('sqs:SendMessage') && mentions(s.Resource, 'AsyncFailureQueue'))).toBe(true);
    }
  });

  it('keeps logs 30 days', () => {
    for (const [, g] of resourcesOfType(t, 'AWS::Logs::LogGroup')) expect(g.Properties.RetentionInDays).toBe(30);
  });

  it('exposes ingest as a function URL (HMAC in the handler), reading its secret from the stage path', () => {
    expect(t.Resources.IngestLambdaFunctionUrl?.Properties.AuthType).toBe('NONE');
    const env = (t.Resources.IngestLambdaFunction!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.INGEST_HMAC_SECRET_PARAMETER).toBe('/cloud-automation/test/ingest/hmac-secret');
  });

  it('gives no function a wildcard action, UpdateItem or DeleteItem; the table is put-and-read only', () => {
    for (const fn of ALL_FUNCTIONS) {
      const statements = policyOf(fn);
      for (const a of statements.flatMap(actions)) {
        expect([fn, a]).not.toEqual([fn, expect.stringMatching(/\*/)]);
        expect([fn, a]).not.toEqual([fn, expect.stringMatching(/^dynamodb:(UpdateItem|DeleteItem|BatchWriteItem|PartiQL.*|\*)$/)]);
      }
      const onTable = statements.filter((s) => mentions(s.Resource, 'AuditTable'));
      for (const s of onTable) expect(actions(s).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
      expect([fn, onTable.length > 0]).toEqual([fn, (functionNames as string[]).includes(fn)]);
    }
  });

  it('limits PutEvents to our bus, SSM to the stage parameter path, KMS to decrypting through SSM', () => {
    for (const fn of ALL_FUNCTIONS) {
      for (const s of policyOf(fn)) {
        if (actions(s).includes('events:PutEvents')) expect(s.Resource).toEqual([{ 'Fn::GetAtt': ['AutomationBus', 'Arn'] }]);
        if (actions(s).some((a) => a.startsWith('ssm:'))) {
          expect(actions(s).sort()).toEqual(['ssm:GetParameter', 'ssm:GetParameters']);
          expect(JSON.stringify(s.Resource)).toContain(':parameter/cloud-automation/test/*');
        }
        if (actions(s).includes('kms:Decrypt'))
          expect(s.Condition).toMatchObject({ StringEquals: { 'kms:ViaService': expect.anything() }, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/aws/ssm' } });
        if (actions(s).some((a) => a.startsWith('logs:'))) expect(s.Resource).toEqual([{ 'Fn::GetAtt': [`${logical(fn)}LogGroup`, 'Arn'] }]);
      }
    }
  });

  it('has a FIFO work queue per automation with a dead-letter queue, consumed one item at a time with capped concurrency', () => {
    const queues = Object.fromEntries(resourcesOfType(t, 'AWS::SQS::Queue'));
    expect(queues.FanoutDeadLetterQueue?.Properties).toMatchObject({ FifoQueue: true });
    const mappings = resourcesOfType(t, 'AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);
    for (const fn of functionNames) {
      const id = `FanoutQueue${fn.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`;
      expect(queues[id]?.Properties).toMatchObject({
        FifoQueue: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['FanoutDeadLetterQueue', 'Arn'] }, maxReceiveCount: 3 },
      });
      const mapping = mappings.find((m) => mentions(m.EventSourceArn, id));
      expect(mapping).toMatchObject({ BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 16 } });
      expect(mentions(mapping!.FunctionName, `${logical(fn)}LambdaFunction`)).toBe(true);
      // the function may use its own queue, and no other
      const sqs = policyOf(fn).filter((st) => actions(st).some((a) => a.startsWith('sqs:')) && mentions(st.Resource, 'FanoutQueue'));
      expect(sqs).toHaveLength(1);
      expect(sqs[0]!.Resource).toEqual([{ 'Fn::GetAtt': [id, 'Arn'] }]);
      expect(actions(sqs[0]!).sort()).toEqual(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage']);
    }
  });
});
