// A local osls plugin: after the framework has merged resources/ into the template, it
// - tags every resource whose type takes tags (service, stage and the user map: settings.cjs);
//   schedules, which take none, sit in the tagged schedule group (monitoring.cjs);
// - gives every EventBridge Scheduler schedule a retry policy and the schedule dead-letter queue;
// - refuses a template with a literal partition in an ARN (every ARN is built from AWS::Partition).
// test/stack/template.test.ts checks the result for a normal and a China region.

const { settings: settingsFor } = require('./settings.cjs');

/** Resource types whose Tags are a list of { Key, Value } (CloudFormation resource schemas). */
const LIST_TAGS = [
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Logs::LogGroup',
  'AWS::IAM::Role',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::DynamoDB::Table',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::Scheduler::ScheduleGroup',
  'AWS::CloudWatch::Alarm',
  'AWS::S3::Bucket',
];
/** Types whose Tags are a { key: value } map. */
const MAP_TAGS = ['AWS::ApiGatewayV2::Api', 'AWS::ApiGatewayV2::Stage'];
/** Not available in the China regions (Lambda "Feature Availability" page): event source mapping tags. */
const NOT_TAGGABLE_IN_CHINA = ['AWS::Lambda::EventSourceMapping'];

function finishTemplate(template, s) {
  const tagList = Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value: String(Value) }));
  for (const [id, r] of Object.entries(template.Resources)) {
    const props = (r.Properties ??= {});
    if (LIST_TAGS.includes(r.Type) && !(s.china && NOT_TAGGABLE_IN_CHINA.includes(r.Type))) {
      const own = (props.Tags ?? []).filter((t) => !(t.Key in s.tags));
      props.Tags = [...own, ...tagList];
    } else if (MAP_TAGS.includes(r.Type)) {
      props.Tags = { ...props.Tags, ...Object.fromEntries(tagList.map((t) => [t.Key, t.Value])) };
    }
    if (r.Type === 'AWS::Scheduler::Schedule') {
      props.Target.DeadLetterConfig = { Arn: { 'Fn::GetAtt': ['ScheduleDeadLetterQueue', 'Arn'] } };
      // a delivery older than the shortest schedule period is not worth retrying
      props.Target.RetryPolicy = { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 };
      r.DependsOn = [...new Set([...[r.DependsOn ?? []].flat(), 'ScheduleGroup'])];
    }
    const literal = JSON.stringify(r).match(/arn:aws(-cn|-us-gov)?:/);
    if (literal) throw new Error(`resource ${id} has a literal "${literal[0]}" ARN; build it with \${AWS::Partition}`);
  }
  return template;
}

class StackPlugin {
  constructor(serverless, options) {
    this.serverless = serverless;
    const local = serverless.processedInput?.commands?.join(' ') === 'invoke local';
    const esbuild = serverless.service.custom?.esbuild;
    // osls requires the local handler and never tries `.mjs`: bundle as `.js` (ESM, imported by
    // Node's require(esm) or osls's import() fallback), unless CA_BUNDLE_EXTENSION says otherwise.
    if (local && esbuild && !process.env.CA_BUNDLE_EXTENSION) esbuild.outputFileExtension = '.js';
    this.hooks = {
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.finish(),
      // serverless-esbuild builds in this same hook (listed first) and disposes its esbuild contexts
      // only after a successful invoke: a handler that fails to load left them open and osls
      // waiting forever. A one-shot local invoke needs no incremental context: dispose now.
      'before:invoke:local:invoke': () => esbuildPlugin(serverless)?.disposeContexts?.(),
    };
    this.options = options;
  }

  finish() {
    const sls = this.serverless;
    const provider = sls.getProvider('aws');
    const s = settingsFor({ region: provider.getRegion(), service: sls.service.service, stage: provider.getStage(), userTags: sls.service.custom?.tags ?? {} });
    finishTemplate(sls.service.provider.compiledCloudFormationTemplate, s);
  }
}

const esbuildPlugin = (serverless) => serverless.pluginManager.plugins.find((p) => typeof p.bundle === 'function' && typeof p.disposeContexts === 'function');

module.exports = StackPlugin;
module.exports.finishTemplate = finishTemplate;
module.exports.LIST_TAGS = LIST_TAGS;
module.exports.MAP_TAGS = MAP_TAGS;
