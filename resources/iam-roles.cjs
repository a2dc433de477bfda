// One least-privilege IAM role per function (osls has per-function statements only through a
// plugin), plus the role EventBridge Scheduler assumes to invoke the automations.
// serverless.yml includes this with ${file(resources/iam-roles.cjs)} and sets each function's
// `role:` to `<LogicalName>Role`. test/stack/template.test.ts checks the generated policies.

/** What each function may touch besides its own log group. */
const FUNCTIONS = {
  _empty: ['parameters'],
  'auto-delete': ['parameters', 'auditTable', 'bus', 'failureQueue', 'workQueue'],
  snapshots: ['parameters', 'auditTable', 'bus', 'failureQueue', 'workQueue'],
  'spot-prices': ['parameters', 'auditTable', 'bus', 'failureQueue', 'workQueue'],
  'renewal-reminders': ['parameters', 'auditTable', 'bus', 'failureQueue', 'workQueue'],
  'recycle-bin': ['parameters', 'auditTable', 'bus', 'failureQueue', 'workQueue'],
  ingest: ['parameters', 'bus'],
};

/** Functions EventBridge Scheduler invokes. */
const SCHEDULED = ['auto-delete', 'snapshots', 'spot-prices', 'renewal-reminders', 'recycle-bin'];

/** The framework's logical-id naming (naming.getNormalizedFunctionName). */
const logicalName = (fn) => {
  const n = fn.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return n[0].toUpperCase() + n.slice(1);
};
const getAtt = (id, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });
const { queueId } = require('./fanout-queues.cjs');

/** Statements per right; `parameterPath` is custom.parameterPath (e.g. /cloud-automation/prod). */
const statements = (fn, parameterPath) => ({
  logs: [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      // The log group's Arn ends in ":*": its streams, nothing else.
      Resource: [getAtt(`${logicalName(fn)}LogGroup`)],
    },
  ],
  // Put and read only: the audit trail is append-only (no UpdateItem, no DeleteItem), and every
  // read is a GetItem or an indexed Query (no Scan: lib/audit/dynamo-store.ts).
  auditTable: [
    {
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      Resource: [getAtt('AuditTable'), { 'Fn::Sub': '${AuditTable.Arn}/index/*' }],
    },
  ],
  bus: [{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [getAtt('AutomationBus')] }],
  parameters: [
    {
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters'],
      Resource: [
        { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${parameterPath}/*` },
      ],
    },
    {
      // SecureString values, decrypted through SSM with the AWS managed key only.
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' }],
      Condition: {
        StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/aws/ssm' },
      },
    },
  ],
  failureQueue: [{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [getAtt('AsyncFailureQueue')] }],
  // Its own fan-out queue: dispatch and continuation send; the event source receives and deletes.
  workQueue: [
    {
      Effect: 'Allow',
      Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
      Resource: [getAtt(queueId(fn))],
    },
  ],
});

const assumedBy = (service) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: [service] },
      Action: ['sts:AssumeRole'],
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    },
  ],
});

function functionRole(fn, rights, parameterPath) {
  const all = statements(fn, parameterPath);
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: `cloud-automation function ${fn}`,
      AssumeRolePolicyDocument: assumedBy('lambda.amazonaws.com'),
      Policies: [
        {
          PolicyName: `${fn}-least-privilege`,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: ['logs', ...rights].flatMap((right) => all[right]),
          },
        },
      ],
    },
  };
}

const schedulerRole = () => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    Description: 'EventBridge Scheduler invoking the cloud-automation functions',
    AssumeRolePolicyDocument: assumedBy('scheduler.amazonaws.com'),
    Policies: [
      {
        PolicyName: 'invoke-scheduled-functions',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['lambda:InvokeFunction'],
              Resource: SCHEDULED.map((fn) => getAtt(`${logicalName(fn)}LambdaFunction`)),
            },
          ],
        },
      },
    ],
  },
});

module.exports = async ({ resolveVariable }) => {
  const parameterPath = await resolveVariable('self:custom.parameterPath');
  const Resources = { SchedulerInvokeRole: schedulerRole() };
  for (const [fn, rights] of Object.entries(FUNCTIONS))
    Resources[`${logicalName(fn)}Role`] = functionRole(fn, rights, parameterPath);
  return { Resources };
};
