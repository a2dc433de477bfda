// One least-privilege IAM role per function (osls has per-function statements only through a
// plugin), plus the role EventBridge Scheduler assumes to invoke the automations.
// serverless.yml includes this with ${file(resources/iam-roles.cjs)} and sets each function's
// `role:` to `<LogicalName>Role`. test/stack/template.test.ts checks the generated policies.

/**
 * What each function may touch besides its own log group: only what its own code calls.
 * - auditTable: PutItem, GetItem and Query (intents as leases, results, records, and the bounded
 *   ledger/scope queries of lib/audit/dynamo-store.ts); never Scan.
 * - parameters: its SSM reads (ssmPaths below); ingestReplay: the ingest's replay items only.
 */
const FUNCTIONS = {
  'auto-delete': ['parameters', 'auditTable', 'bus', 'failureQueue', 'workQueue'],
  snapshots: ['parameters', 'auditTable', 'bus', 'failureQueue', 'workQueue'],
  'spot-prices': ['parameters', 'auditTable', 'bus', 'failureQueue', 'workQueue'],
  'renewal-reminders': ['parameters', 'auditTable', 'bus', 'failureQueue', 'workQueue'],
  'recycle-bin': ['parameters', 'auditTable', 'bus', 'failureQueue', 'workQueue'],
  ingest: ['parameters', 'ingestReplay', 'bus'],
};

/**
 * The SSM parameters a function may read, under custom.parameterPath (docs/deploy.md "SSM
 * parameters"): ingest its HMAC key only; an automation the config and the credentials of the
 * targets custom.functionTargets gives it (default every target: `targets/*`).
 */
function ssmPaths(fn, parameterPath, functionTargets) {
  if (fn === 'ingest') return [`${parameterPath}/ingest/hmac-secret`];
  const targets = [functionTargets?.[fn] ?? '*'].flat();
  for (const t of targets)
    if (!/^(\*|[A-Za-z0-9_.-]+)$/.test(t)) throw new Error(`custom.functionTargets.${fn}: "${t}" is not a target name (letters, digits, _ . -) or *`);
  return [`${parameterPath}/config`, ...targets.map((t) => (t === '*' ? `${parameterPath}/targets/*` : `${parameterPath}/targets/${t}/*`))];
}

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
const statements = (fn, parameterPath, functionTargets) => ({
  logs: [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      // The log group's Arn ends in ":*": its streams, nothing else.
      Resource: [getAtt(`${logicalName(fn)}LogGroup`)],
    },
  ],
  // Put and read only: the audit trail is append-only (no UpdateItem, no DeleteItem), and every
  // read is a GetItem or a Query on the table or its indexes (no Scan: lib/audit/dynamo-store.ts).
  auditTable: [
    {
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      Resource: [getAtt('AuditTable'), { 'Fn::Sub': '${AuditTable.Arn}/index/*' }],
    },
  ],
  // The public ingest writes its replay memory (lib/ingest/replay.ts) and nothing else of the table.
  ingestReplay: [
    {
      Effect: 'Allow',
      Action: ['dynamodb:PutItem'],
      Resource: [getAtt('AuditTable')],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ingest-replay#*'] } },
    },
  ],
  bus: [{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [getAtt('AutomationBus')] }],
  parameters: [
    {
      // Powertools Parameters reads each one with GetParameter (lib/runtime/ssm-config.ts).
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: ssmPaths(fn, parameterPath, functionTargets).map((path) => ({
        'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path}`,
      })),
    },
    {
      // SecureString values, decrypted through SSM with the AWS managed key only. The SSM
      // endpoint's domain differs in AWS China (amazonaws.com.cn): both forms are allowed.
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' }],
      Condition: {
        StringEquals: { 'kms:ViaService': [{ 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' }, { 'Fn::Sub': 'ssm.${AWS::Region}.${AWS::URLSuffix}' }] },
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

function functionRole(fn, rights, parameterPath, functionTargets) {
  const all = statements(fn, parameterPath, functionTargets);
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
            // deliveries that fail after the retries go to the schedule dead-letter queue (monitoring.cjs)
            { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [getAtt('ScheduleDeadLetterQueue')] },
          ],
        },
      },
    ],
  },
});

module.exports = async ({ resolveVariable }) => {
  const parameterPath = await resolveVariable('self:custom.parameterPath');
  const functionTargets = await resolveVariable('self:custom.functionTargets, null');
  const Resources = { SchedulerInvokeRole: schedulerRole() };
  for (const [fn, rights] of Object.entries(FUNCTIONS))
    Resources[`${logicalName(fn)}Role`] = functionRole(fn, rights, parameterPath, functionTargets);
  return { Resources };
};
module.exports.FUNCTIONS = FUNCTIONS;
module.exports.ssmPaths = ssmPaths;
