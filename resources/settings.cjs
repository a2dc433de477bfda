// Deployment settings that depend on the region (AWS China) or come from the operator.
// serverless.yml reads them with ${file(resources/settings.cjs):<name>}; docs/deploy.md lists them.
//
// AWS China (cn-north-1 Beijing, cn-northwest-1 Ningxia), per the "Getting Started with Amazon Web
// Services in China" service pages (docs/deploy.md "AWS China" has the table):
// - Lambda function URLs are not available: the ingest endpoint is an API Gateway HTTP API there.
// - Event source mapping tags are not available: work-queue mappings are left untagged there.
// Everything else the stack uses (EventBridge buses, rules and Scheduler, SQS FIFO with SSE, SNS,
// DynamoDB with PITR and deletion protection, CloudWatch alarms and dashboards, SSM SecureString,
// KMS) exists in both China regions.

const INGEST_ENDPOINTS = ['url', 'httpApi', 'none'];

/** `team=ops,cost-center=42` → { team: 'ops', 'cost-center': '42' } */
function parseTags(text, from) {
  const tags = {};
  for (const pair of (text || '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`${from}: "${pair}" is not key=value; write CA_TAGS=team=ops,cost-center=42`);
    tags[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return tags;
}

function settings({ region, service, stage, userTags = {}, env = process.env }) {
  const china = String(region).startsWith('cn-');
  const ingestEndpoint = env.CA_INGEST_ENDPOINT || (china ? 'httpApi' : 'url');
  if (!INGEST_ENDPOINTS.includes(ingestEndpoint))
    throw new Error(`CA_INGEST_ENDPOINT=${ingestEndpoint}: use one of ${INGEST_ENDPOINTS.join(', ')}`);
  if (china && ingestEndpoint === 'url')
    throw new Error(`CA_INGEST_ENDPOINT=url: Lambda function URLs are not available in ${region} (AWS China); use httpApi or none`);
  // service and stage last: a user map cannot overwrite them
  const tags = { ...userTags, ...parseTags(env.CA_TAGS, 'CA_TAGS'), service, stage };
  return {
    partition: china ? 'aws-cn' : 'aws',
    china,
    ingestEndpoint,
    ingestUrl: ingestEndpoint === 'url',
    // HTTP API (payload format 2.0, the same request shape as a function URL): POST /<vendor>
    ingestEvents: ingestEndpoint === 'httpApi' ? [{ httpApi: { method: 'POST', path: '/{vendor}' } }] : [],
    tags,
    alarmEmail: env.CA_ALARM_EMAIL || '',
  };
}

module.exports = async ({ resolveVariable }) =>
  settings({
    region: await resolveVariable('self:provider.region'),
    service: await resolveVariable('self:service'),
    stage: await resolveVariable('sls:stage'),
    userTags: await resolveVariable('self:custom.tags, null').then((t) => t ?? {}),
  });
module.exports.settings = settings;
module.exports.parseTags = parseTags;
