// Failures are not silent: CloudWatch alarms on every function (errors, throttles, duration near
// the timeout), on every dead-letter queue (depth > 0), on the run metrics the automations emit
// (lib/runtime/metrics.ts), all sending to one SNS topic; a dashboard per stage; the dead-letter
// queue of the schedules. serverless.yml includes this with ${file(...)}; docs/deploy.md
// "Alarms and the dashboard" explains how to read them.

const { AUTOMATIONS } = require('./fanout-queues.cjs');

/** The framework's logical-id naming (naming.getNormalizedFunctionName). */
const logicalName = (fn) => {
  const n = fn.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return n[0].toUpperCase() + n.slice(1);
};

/** Run metrics (lib/runtime/metrics.ts RUN_METRICS) and what their alarm says. */
const RUN_METRICS = {
  ReadFailures: 'a listing or credential read failed (an expired or rotated vendor key shows here); nothing destructive ran in that scope',
  RefusedActions: 'a guard refused destructive actions (blast radius or a read failure)',
  FailedActions: 'the vendor refused or failed actions',
};
/** Duration alarm threshold: this share of the function's timeout. */
const DURATION_SHARE = 0.8;

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const functions = await resolveVariable('self:functions');
  const providerTimeout = (await resolveVariable('self:provider.timeout, null')) ?? 6;
  const settings = await resolveVariable('file(resources/settings.cjs)');
  const prefix = `cloud-automation-${stage}`;
  const namespace = `CloudFleetAutomation/${stage}`;
  const topic = { Ref: 'AlarmTopic' };
  const Resources = {};

  const alarm = (id, props) => {
    Resources[id] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        ActionsEnabled: true,
        // ALARM only: OK actions would also fire for each of the ~36 alarms when a new stack settles
        AlarmActions: [topic],
        TreatMissingData: 'notBreaching',
        EvaluationPeriods: 1,
        Period: 300,
        ...props,
      },
    };
  };

  Resources.AlarmTopic = {
    Type: 'AWS::SNS::Topic',
    Properties: { TopicName: `${prefix}-alarms`, DisplayName: `cloud-automation ${stage} alarms` },
  };
  if (settings.alarmEmail)
    Resources.AlarmEmailSubscription = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: topic, Protocol: 'email', Endpoint: settings.alarmEmail } };

  // Deliveries EventBridge Scheduler gave up on (after its retries) land here.
  Resources.ScheduleDeadLetterQueue = {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: `${prefix}-schedule-dlq`, MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true },
  };
  // Schedules have no tags of their own: their group carries them (stack-plugin.cjs).
  Resources.ScheduleGroup = { Type: 'AWS::Scheduler::ScheduleGroup', Properties: { Name: prefix } };

  for (const [fn, def] of Object.entries(functions)) {
    const id = logicalName(fn);
    const dims = [{ Name: 'FunctionName', Value: { Ref: `${id}LambdaFunction` } }];
    const lambda = { Namespace: 'AWS/Lambda', Dimensions: dims };
    alarm(`${id}ErrorsAlarm`, { ...lambda, AlarmName: `${prefix}-${fn}-errors`, AlarmDescription: `${fn}: invocations failed (logs: /aws/lambda/${service}-${stage}-${fn})`, MetricName: 'Errors', Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    alarm(`${id}ThrottlesAlarm`, { ...lambda, AlarmName: `${prefix}-${fn}-throttles`, AlarmDescription: `${fn}: invocations throttled (concurrency limit)`, MetricName: 'Throttles', Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    const timeoutMs = (def.timeout ?? providerTimeout) * 1000;
    alarm(`${id}DurationAlarm`, { ...lambda, AlarmName: `${prefix}-${fn}-duration`, AlarmDescription: `${fn}: a run took over ${DURATION_SHARE * 100} % of its ${timeoutMs / 1000} s timeout`, MetricName: 'Duration', Statistic: 'Maximum', Threshold: Math.round(timeoutMs * DURATION_SHARE), ComparisonOperator: 'GreaterThanThreshold' });
  }

  for (const fn of AUTOMATIONS) {
    for (const [metric, what] of Object.entries(RUN_METRICS)) {
      alarm(`${logicalName(fn)}${metric}Alarm`, {
        AlarmName: `${prefix}-${fn}-${metric.replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase())}`,
        AlarmDescription: `${fn}: ${what} (the run report in the function's log says which target and region)`,
        Namespace: namespace,
        MetricName: metric,
        Dimensions: [
          { Name: 'service', Value: service },
          { Name: 'function', Value: fn },
        ],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  }

  const queues = { AsyncFailureQueue: 'failed async invocations', FanoutDeadLetterQueue: 'fan-out work items that failed 3 times', ScheduleDeadLetterQueue: 'schedule deliveries that failed' };
  // the notify function's (resources/notify.yml), when the stack has it
  if ('notify' in functions) queues.NotifyFailureQueue = 'notices that could not be delivered';
  for (const [queue, what] of Object.entries(queues)) {
    alarm(`${queue}DepthAlarm`, {
      AlarmName: `${prefix}-${queue.replace(/Queue$/, '').replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase())}-depth`,
      AlarmDescription: `messages waiting in ${queue}: ${what}`,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  }

  Resources.Dashboard = { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardName: prefix, DashboardBody: dashboard({ service, stage, namespace, functions: Object.keys(functions), queues: Object.keys(queues), alarms: Object.keys(Resources).filter((r) => r.endsWith('Alarm')) }) } };

  return {
    Resources,
    Outputs: {
      AlarmTopicArn: { Description: 'SNS topic of every alarm (subscribe mail, chat or the notify function)', Value: topic },
      DashboardName: { Description: 'CloudWatch dashboard of this stage', Value: prefix },
      ScheduleDeadLetterQueueUrl: { Description: 'SQS queue of schedule deliveries that failed', Value: { Ref: 'ScheduleDeadLetterQueue' } },
    },
  };
};

/** The dashboard body: a Fn::Sub string (region, queue names and alarm ARNs are filled in at deploy). */
function dashboard({ service, stage, namespace, functions, queues, alarms }) {
  const fnName = (fn) => `${service}-${stage}-${fn}`;
  const perFunction = (metric, stat) => functions.map((fn) => ['AWS/Lambda', metric, 'FunctionName', fnName(fn), { stat, label: fn }]);
  const widget = (title, metrics, x, y, extra = {}) => ({ type: 'metric', x, y, width: 12, height: 6, properties: { title, region: '${AWS::Region}', view: 'timeSeries', stacked: false, metrics, period: 300, ...extra } });
  const runMetric = (metric) => AUTOMATIONS.map((fn) => [namespace, metric, 'service', service, 'function', fn, { stat: 'Sum', label: fn }]);
  const widgets = [
    { type: 'alarm', x: 0, y: 0, width: 24, height: 4, properties: { title: 'Alarms', alarms: alarms.map((a) => `\${${a}.Arn}`) } },
    widget('Invocations', perFunction('Invocations', 'Sum'), 0, 4),
    widget('Errors', perFunction('Errors', 'Sum'), 12, 4),
    widget('Duration (max, ms)', perFunction('Duration', 'Maximum'), 0, 10),
    widget('Throttles', perFunction('Throttles', 'Sum'), 12, 10),
    widget('Read failures (runs)', runMetric('ReadFailures'), 0, 16),
    widget('Refused destructive actions', runMetric('RefusedActions'), 12, 16),
    widget('Failed actions', runMetric('FailedActions'), 0, 22),
    widget('Dead-letter queues (messages waiting)', queues.map((q) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', `\${${q}.QueueName}`, { stat: 'Maximum', label: q }]), 12, 22),
  ];
  return { 'Fn::Sub': JSON.stringify({ widgets }) };
}
