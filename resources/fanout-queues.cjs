// Fan-out work queues (docs/fanout.md). One FIFO queue per automation (a function's worker
// consumes only its own work items); message group = target|region, so at most one worker per
// vendor account and region at a time. Failed work items are retried twice, then kept 14 days
// in the shared dead-letter queue. serverless.yml includes this with ${file(...)}.

const AUTOMATIONS = ['auto-delete', 'snapshots', 'spot-prices', 'renewal-reminders', 'recycle-bin'];

/** Logical id of a function's work queue, e.g. FanoutQueueAutoDelete. */
const queueId = (fn) => `FanoutQueue${fn.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`;

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const Resources = {
    FanoutDeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: `${service}-${stage}-fanout-dlq.fifo`, FifoQueue: true, MessageRetentionPeriod: 1209600 },
    },
  };
  for (const fn of AUTOMATIONS) {
    Resources[queueId(fn)] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: `${service}-${stage}-${fn}-fanout.fifo`,
        FifoQueue: true,
        ContentBasedDeduplication: false, // the dispatcher sends MessageDeduplicationId (scope, schedule time, attempt)
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
        VisibilityTimeout: 1800, // 6 x the function timeout (300 s), as AWS advises for Lambda event sources
        MessageRetentionPeriod: 86400, // a work item older than a day belongs to a stale schedule
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['FanoutDeadLetterQueue', 'Arn'] }, maxReceiveCount: 3 },
      },
    };
  }
  return { Resources };
};
module.exports.queueId = queueId;
module.exports.AUTOMATIONS = AUTOMATIONS;
