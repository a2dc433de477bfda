import { join } from 'node:path';
import { createRequire } from 'node:module';
import { AUDIT_TTL_ATTRIBUTE, auditTableDefinition } from '../../lib/audit/dynamo-store';
import { functionNames } from '../../lib/config/schema';
import { RUN_METRICS } from '../../lib/runtime/metrics';
import { packageService, resourcesOfType, zipEntries, type CfnTemplate } from './package-template';

const { LIST_TAGS, MAP_TAGS } = createRequire(import.meta.url)('../../resources/stack-plugin.cjs') as { LIST_TAGS: string[]; MAP_TAGS: string[] };

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
const ALL_FUNCTIONS = [...functionNames, 'ingest'];
/** The partition of each region the stack is packaged for: a normal one and AWS China (Beijing). */
const REGIONS = [
  ['us-east-1', 'aws'],
  ['cn-north-1', 'aws-cn'],
] as const;
/** What each function's role may do (besides its own log group), from what its code calls. */
const EXPECTED_ACTIONS: Record<string, string[]> = {
  'auto-delete': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'events:PutEvents', 'kms:Decrypt', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage', 'ssm:GetParameter'],
  snapshots: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'events:PutEvents', 'kms:Decrypt', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage', 'ssm:GetParameter'],
  'spot-prices': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'events:PutEvents', 'kms:Decrypt', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage', 'ssm:GetParameter'],
  'renewal-reminders': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'events:PutEvents', 'kms:Decrypt', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage', 'ssm:GetParameter'],
  'recycle-bin': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'events:PutEvents', 'kms:Decrypt', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage', 'ssm:GetParameter'],
  ingest: ['dynamodb:PutItem', 'events:PutEvents', 'kms:Decrypt', 'ssm:GetParameter'],
};
const ssmArn = (path: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path}` });

describe.each(REGIONS)('the packaged CloudFormation template for %s (sls package, offline)', (region, partition) => {
  let t: CfnTemplate;
  let dir: string;
  beforeAll(async () => {
    ({ template: t, dir } = await packageService('test', region, { CA_TAGS: 'team=ops,cost-center=42', CA_ALARM_EMAIL: 'ops@example.com' }));
  }, 240_000);

  // Cold start: each zip holds its function's bundle and the chunks in functions/<name>.chunks/, no other function's.
  it.each([...ALL_FUNCTIONS, 'notify'])('packages %s alone: its bundle and its own chunks', (fn) => {
    const files = zipEntries(join(dir, `${fn}.zip`)).filter((f) => !f.endsWith('/'));
    expect(files).toContain(`functions/${fn}.mjs`);
    expect(files.filter((f) => f !== `functions/${fn}.mjs` && f !== `functions/${fn}.mjs.map` && !f.startsWith(`functions/${fn}.chunks/`))).toEqual([]);
    expect(files.some((f) => f.startsWith(`functions/${fn}.chunks/`) && f.endsWith('.mjs'))).toBe(true);
  });

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
    // the scheduler's role may invoke the automations and use its dead-letter queue, nothing else
    const role = t.Resources.SchedulerInvokeRole!;
    const statements = (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[])[0]!.PolicyDocument.Statement;
    expect(statements.flatMap(actions)).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
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

  it('exposes ingest (HMAC in the handler): a function URL, an HTTP API in AWS China where URLs do not exist', () => {
    if (partition === 'aws') {
      expect(t.Resources.IngestLambdaFunctionUrl?.Properties.AuthType).toBe('NONE');
      expect(resourcesOfType(t, 'AWS::ApiGatewayV2::Api')).toEqual([]);
    } else {
      expect(resourcesOfType(t, 'AWS::Lambda::Url')).toEqual([]);
      const routes = resourcesOfType(t, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
      expect(routes).toEqual(['POST /{vendor}']);
      const integration = resourcesOfType(t, 'AWS::ApiGatewayV2::Integration')[0]![1];
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      expect(mentions(integration.Properties.IntegrationUri, 'IngestLambdaFunction')).toBe(true);
    }
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
      expect([fn, onTable.length > 0]).toEqual([fn, true]);
      if (fn === 'ingest') continue; // its replay items only: below
      // no Scan: every read a run makes is a GetItem or a bounded Query (issue 19)
      for (const s of onTable) expect([fn, actions(s).sort()]).toEqual([fn, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']]);
    }
    // the public ingest may put its replay items, nothing else of the trail
    const ingestTable = policyOf('ingest').filter((s) => mentions(s.Resource, 'AuditTable'));
    expect(ingestTable).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: [{ 'Fn::GetAtt': ['AuditTable', 'Arn'] }], Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ingest-replay#*'] } } },
    ]);
  });

  it('narrows each role to the vendor-independent actions its own function calls', () => {
    for (const fn of ALL_FUNCTIONS) {
      const own = [...new Set(policyOf(fn).flatMap(actions).filter((a) => !a.startsWith('logs:')))].sort();
      expect([fn, own]).toEqual([fn, EXPECTED_ACTIONS[fn]]);
    }
  });

  it('lets each function read only its own SSM parameters: ingest its HMAC key, an automation the config and its targets', () => {
    const ssmResources = (fn: string) => policyOf(fn).filter((s) => actions(s).some((a) => a.startsWith('ssm:'))).flatMap((s) => s.Resource as unknown[]);
    expect(ssmResources('ingest')).toEqual([ssmArn('/cloud-automation/test/ingest/hmac-secret')]);
    for (const fn of functionNames) expect(ssmResources(fn)).toEqual([ssmArn('/cloud-automation/test/config'), ssmArn('/cloud-automation/test/targets/*')]);
    expect(ssmResources('notify')).toEqual([ssmArn('/cloud-automation/test/config'), ssmArn('/cloud-automation/test/notify/*')]);
    for (const fn of [...ALL_FUNCTIONS, 'notify']) expect(JSON.stringify(ssmResources(fn))).not.toMatch(/parameter\/cloud-automation\/test\/\*/);
  });

  it('limits PutEvents to our bus, SSM to the stage parameter path, KMS to decrypting through SSM', () => {
    for (const fn of ALL_FUNCTIONS) {
      for (const s of policyOf(fn)) {
        if (actions(s).includes('events:PutEvents')) expect(s.Resource).toEqual([{ 'Fn::GetAtt': ['AutomationBus', 'Arn'] }]);
        if (actions(s).some((a) => a.startsWith('ssm:'))) {
          expect(actions(s)).toEqual(['ssm:GetParameter']);
          expect(JSON.stringify(s.Resource)).toContain(':parameter/cloud-automation/test/');
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

  it('deploys no benchmark-only function', () => {
    expect(JSON.stringify(t.Resources)).not.toMatch(/Underscoreempty|_empty/);
  });

  it('builds every ARN from AWS::Partition', () => {
    const text = JSON.stringify(t);
    expect(text).not.toMatch(/arn:aws(-cn|-us-gov)?:/);
    // every ARN written as text starts with the partition pseudo-parameter
    expect(text.match(/arn:/g)!.length).toBeGreaterThan(10);
    expect(text.match(/arn:(?!\$\{AWS::Partition\}|",\{"Ref":"AWS::Partition"\})[^"]{0,40}/g)).toBeNull();
  });

  it('tags every resource that takes tags with the service, the stage and the user map', () => {
    const want = { service: 'cloud-fleet-automation', stage: 'test', team: 'ops', 'cost-center': '42' };
    let tagged = 0;
    for (const [id, r] of Object.entries(t.Resources)) {
      if (LIST_TAGS.includes(r.Type)) {
        // AWS China has no event source mapping tags (Lambda "Feature Availability" page)
        if (partition === 'aws-cn' && r.Type === 'AWS::Lambda::EventSourceMapping') {
          expect([id, r.Properties.Tags]).toEqual([id, undefined]);
          continue;
        }
        const tags = Object.fromEntries((r.Properties.Tags as { Key: string; Value: string }[]).map((x) => [x.Key, x.Value]));
        expect([id, tags]).toEqual([id, expect.objectContaining(want)]);
        tagged++;
      } else if (MAP_TAGS.includes(r.Type)) {
        expect([id, r.Properties.Tags]).toEqual([id, expect.objectContaining(want)]);
        tagged++;
      }
    }
    expect(tagged).toBeGreaterThan(40);
    // schedules take no tags: they sit in the tagged group
    for (const [id, s] of resourcesOfType(t, 'AWS::Scheduler::Schedule')) expect([id, s.Properties.GroupName]).toEqual([id, t.Resources.ScheduleGroup!.Properties.Name]);
  });

  describe('alarms, topic and dashboard', () => {
    const alarms = () => resourcesOfType(t, 'AWS::CloudWatch::Alarm').map(([id, a]) => ({ id, ...(a.Properties as { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[]; Threshold: number; ComparisonOperator: string; AlarmActions: unknown[] }) }));
    const dim = (a: ReturnType<typeof alarms>[number], name: string) => a.Dimensions.find((d) => d.Name === name)?.Value;

    it('alarm on errors, throttles and duration near the timeout of every function, into the SNS topic', () => {
      expect(t.Resources.AlarmTopic?.Type).toBe('AWS::SNS::Topic');
      expect(t.Outputs?.AlarmTopicArn).toMatchObject({ Value: { Ref: 'AlarmTopic' } });
      expect(resourcesOfType(t, 'AWS::SNS::Subscription').map(([, r]) => r.Properties)).toEqual([{ TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: 'ops@example.com' }]);
      for (const a of alarms()) expect([a.id, a.AlarmActions]).toEqual([a.id, [{ Ref: 'AlarmTopic' }]]);
      for (const fn of ALL_FUNCTIONS) {
        const ref = { Ref: `${logical(fn)}LambdaFunction` };
        const on = (metric: string) => alarms().filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === metric && JSON.stringify(dim(a, 'FunctionName')) === JSON.stringify(ref));
        expect([fn, on('Errors').length, on('Throttles').length]).toEqual([fn, 1, 1]);
        const timeoutMs = (t.Resources[`${logical(fn)}LambdaFunction`]!.Properties.Timeout as number) * 1000;
        const [duration] = on('Duration');
        expect(duration!.Threshold).toBeLessThan(timeoutMs);
        expect(duration!.Threshold).toBeGreaterThanOrEqual(timeoutMs * 0.5);
      }
    });

    it('alarm when any dead-letter queue holds a message: failures, fan-out, schedules', () => {
      const dlqs = ['AsyncFailureQueue', 'FanoutDeadLetterQueue', 'ScheduleDeadLetterQueue', 'NotifyFailureQueue'];
      for (const q of dlqs) {
        const a = alarms().find((x) => x.Namespace === 'AWS/SQS' && mentions(dim(x, 'QueueName'), q));
        expect([q, a?.MetricName, a?.Threshold, a?.ComparisonOperator]).toEqual([q, 'ApproximateNumberOfMessagesVisible', 0, 'GreaterThanThreshold']);
      }
    });

    it('give every schedule a dead-letter queue the scheduler may send to', () => {
      for (const [id, s] of resourcesOfType(t, 'AWS::Scheduler::Schedule'))
        expect([id, (s.Properties.Target as { DeadLetterConfig?: unknown }).DeadLetterConfig]).toEqual([id, { Arn: { 'Fn::GetAtt': ['ScheduleDeadLetterQueue', 'Arn'] } }]);
      const statements = (t.Resources.SchedulerInvokeRole!.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[])[0]!.PolicyDocument.Statement;
      expect(statements.find((s) => actions(s).includes('sqs:SendMessage'))?.Resource).toEqual([{ 'Fn::GetAtt': ['ScheduleDeadLetterQueue', 'Arn'] }]);
    });

    it('alarm on the run metrics each automation emits, in the namespace its environment names', () => {
      for (const fn of functionNames) {
        const env = (t.Resources[`${logical(fn)}LambdaFunction`]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe('CloudFleetAutomation/test');
        expect(env.POWERTOOLS_PARAMETERS_MAX_AGE).toBe('300');
        for (const metric of Object.values(RUN_METRICS)) {
          const a = alarms().find((x) => x.Namespace === env.POWERTOOLS_METRICS_NAMESPACE && x.MetricName === metric && dim(x, 'function') === fn);
          expect([fn, metric, dim(a!, 'service'), a!.Threshold]).toEqual([fn, metric, env.POWERTOOLS_SERVICE_NAME, 0]);
        }
      }
    });

    it('has a dashboard for the stage', () => {
      const d = resourcesOfType(t, 'AWS::CloudWatch::Dashboard')[0]![1];
      expect(d.Properties.DashboardName).toBe('cloud-automation-test');
      const body = JSON.parse((d.Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub']) as { widgets: { properties: { title: string } }[] };
      expect(body.widgets.map((w) => w.properties.title)).toEqual(expect.arrayContaining(['Alarms', 'Errors', 'Read failures (runs)', 'Dead-letter queues (messages waiting)']));
    });
  });
});

describe('resources/settings.cjs', () => {
  const { settings } = createRequire(import.meta.url)('../../resources/settings.cjs') as { settings: (a: { region: string; service: string; stage: string; userTags?: object; env: Record<string, string> }) => { ingestEndpoint: string; tags: Record<string, string> } };
  const base = { service: 'svc', stage: 'prod' };

  it('chooses the ingest endpoint by region and refuses a function URL in AWS China', () => {
    expect(settings({ ...base, region: 'eu-west-1', env: {} }).ingestEndpoint).toBe('url');
    expect(settings({ ...base, region: 'cn-northwest-1', env: {} }).ingestEndpoint).toBe('httpApi');
    expect(settings({ ...base, region: 'us-east-1', env: { CA_INGEST_ENDPOINT: 'none' } }).ingestEndpoint).toBe('none');
    expect(() => settings({ ...base, region: 'cn-north-1', env: { CA_INGEST_ENDPOINT: 'url' } })).toThrow(/not available in cn-north-1.*httpApi/);
    expect(() => settings({ ...base, region: 'us-east-1', env: { CA_INGEST_ENDPOINT: 'apigw' } })).toThrow(/url, httpApi, none/);
  });

  it('merges the user tag map; service and stage cannot be overwritten; a bad pair names the fix', () => {
    expect(settings({ ...base, region: 'us-east-1', userTags: { owner: 'a', stage: 'x' }, env: { CA_TAGS: 'team=ops' } }).tags).toEqual({ owner: 'a', team: 'ops', service: 'svc', stage: 'prod' });
    expect(() => settings({ ...base, region: 'us-east-1', env: { CA_TAGS: 'team' } })).toThrow(/key=value/);
  });
});
