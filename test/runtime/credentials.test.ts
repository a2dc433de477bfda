import { jest } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSMClient } from '@aws-sdk/client-ssm';
import { clearRegisteredSecrets, redactText } from '../../lib/audit/redact';
import {
  CredentialsError,
  clearCredentialsCache,
  resolveCredentials,
  resolveOperatorCredentials,
} from '../../lib/runtime';
import { parameterMaxAge } from '../../lib/runtime/ssm-config';
import { config } from './fixtures';

const tencent = config.targets[0]!; // env variables
const kec = config.targets[1]!; // SSM parameters

afterEach(() => {
  clearRegisteredSecrets();
  clearCredentialsCache();
});

describe('credentials from environment variables', () => {
  it('reads the named variables and registers the secret for redaction', async () => {
    const creds = await resolveCredentials(tencent, {
      env: { RT_TENCENT_ID: 'AKID-1', RT_TENCENT_SECRET: 'env-secret-value' },
    });
    expect(creds).toEqual({ accessKeyId: 'AKID-1', secret: 'env-secret-value' });
    expect(redactText('oops env-secret-value')).toBe('oops [REDACTED]');
    expect(await resolveOperatorCredentials(tencent)).toBeUndefined();
  });

  it('names the target and the variable when one is missing, never a value', async () => {
    const run = resolveCredentials(tencent, { env: { RT_TENCENT_ID: 'AKID-1', RT_TENCENT_SECRET: '' } });
    await expect(run).rejects.toThrow(CredentialsError);
    await expect(resolveCredentials(tencent, { env: { RT_TENCENT_ID: 'AKID-1' } })).rejects.toThrow(
      'target "tencent-prod": environment variable RT_TENCENT_SECRET (credentials.secretEnv) is not set',
    );
  });
});

/** A loopback SSM endpoint speaking the awsJson1_1 protocol, for the real SDK client. */
async function startSsm(
  values: Record<string, string>,
): Promise<{ server: Server; client: SSMClient; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const { Name, WithDecryption } = JSON.parse(body) as { Name: string; WithDecryption: boolean };
    calls.push(`${req.headers['x-amz-target']} ${Name} ${WithDecryption}`);
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    if (Name.startsWith('/denied/')) {
      res.statusCode = 400;
      res.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized' }));
      return;
    }
    if (!(Name in values)) {
      res.statusCode = 400;
      res.end(JSON.stringify({ __type: 'ParameterNotFound', message: 'not found' }));
      return;
    }
    res.end(JSON.stringify({ Parameter: { Name, Type: 'SecureString', Value: values[Name], Version: 1 } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const client = new SSMClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return { server, client, calls };
}

describe('credentials from SSM Parameter Store', () => {
  it('reads each parameter with decryption once per cold start', async () => {
    const { server, client, calls } = await startSsm({
      '/rt/kec/ak': 'AKLT-1',
      '/rt/kec/sk': 'ssm-secret-value',
      '/rt/kec/token': 'ssm-token-value',
    });
    try {
      const first = await resolveCredentials(kec, { ssm: client });
      const again = await resolveCredentials(kec, { ssm: client });
      expect(first).toEqual({ accessKeyId: 'AKLT-1', secret: 'ssm-secret-value', token: 'ssm-token-value' });
      expect(again).toEqual(first);
      expect(calls.sort()).toEqual([
        'AmazonSSM.GetParameter /rt/kec/ak true',
        'AmazonSSM.GetParameter /rt/kec/sk true',
        'AmazonSSM.GetParameter /rt/kec/token true',
      ]);
      expect(redactText('a ssm-secret-value b ssm-token-value')).toBe('a [REDACTED] b [REDACTED]');
    } finally {
      server.close();
    }
  });

  it('names the target and the parameter when it does not exist, and retries later', async () => {
    const values: Record<string, string> = { '/rt/kec/ak': 'AKLT-1', '/rt/kec/token': 't-value' };
    const { server, client } = await startSsm(values);
    try {
      await expect(resolveCredentials(kec, { ssm: client })).rejects.toThrow(
        'target "kec-main": SSM parameter /rt/kec/sk (credentials.secretParameter) does not exist',
      );
      values['/rt/kec/sk'] = 'now-there';
      await expect(resolveCredentials(kec, { ssm: client })).resolves.toMatchObject({ secret: 'now-there' });
    } finally {
      server.close();
    }
  });
});

describe('a rotated SSM credential', () => {
  // Only Date is faked: the loopback server and the SDK keep real timers.
  const realTimers = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;
  afterEach(() => jest.useRealTimers());

  it('is picked up once the cache age has passed, without a new cold start', async () => {
    jest.useFakeTimers({ doNotFake: [...realTimers], now: new Date('2026-11-24T02:00:00Z') });
    const values: Record<string, string> = { '/rt/kec/ak': 'AKLT-1', '/rt/kec/sk': 'old-secret-value', '/rt/kec/token': 't-value' };
    const { server, client, calls } = await startSsm(values);
    try {
      expect(await resolveCredentials(kec, { ssm: client, maxAgeSeconds: 300 })).toMatchObject({ secret: 'old-secret-value' });
      values['/rt/kec/sk'] = 'new-secret-value'; // the operator rotates the key in SSM
      jest.setSystemTime(new Date('2026-11-24T02:04:59Z'));
      expect(await resolveCredentials(kec, { ssm: client, maxAgeSeconds: 300 })).toMatchObject({ secret: 'old-secret-value' });
      expect(calls).toHaveLength(3); // still served from the cache
      jest.setSystemTime(new Date('2026-11-24T02:05:01Z'));
      expect(await resolveCredentials(kec, { ssm: client, maxAgeSeconds: 300 })).toMatchObject({ secret: 'new-secret-value' });
      expect(calls).toHaveLength(6);
      expect(redactText('x new-secret-value')).toBe('x [REDACTED]');
    } finally {
      server.close();
    }
  });

  it('takes the cache age from POWERTOOLS_PARAMETERS_MAX_AGE (serverless.yml), default 300 s', async () => {
    jest.useFakeTimers({ doNotFake: [...realTimers], now: new Date('2026-11-24T02:00:00Z') });
    const values: Record<string, string> = { '/rt/kec/ak': 'AKLT-1', '/rt/kec/sk': 'old-secret-value', '/rt/kec/token': 't-value' };
    const { server, client } = await startSsm(values);
    const env = { POWERTOOLS_PARAMETERS_MAX_AGE: '60' };
    try {
      await resolveCredentials(kec, { ssm: client, env });
      values['/rt/kec/sk'] = 'new-secret-value';
      jest.setSystemTime(new Date('2026-11-24T02:01:01Z'));
      expect(await resolveCredentials(kec, { ssm: client, env })).toMatchObject({ secret: 'new-secret-value' });
      expect(parameterMaxAge({ env: {} })).toBe(300);
      expect(parameterMaxAge({ env: { POWERTOOLS_PARAMETERS_MAX_AGE: 'soon' } })).toBe(300);
    } finally {
      server.close();
    }
  });
});

describe('an SSM credential outside the function\'s own parameters', () => {
  it('names the parameter, the error and where the credentials belong', async () => {
    const { server, client } = await startSsm({});
    const denied = { ...kec, credentials: { accessKeyIdParameter: '/denied/ak', secretParameter: '/denied/sk' } };
    try {
      await expect(resolveCredentials(denied, { ssm: client, env: { AUTOMATION_PARAMETER_PATH: '/cloud-automation/prod' } })).rejects.toThrow(
        `target "kec-main": cannot read SSM parameter /denied/ak (credentials.accessKeyIdParameter): AccessDeniedException; keep target credentials under /cloud-automation/prod/targets/kec-main/`,
      );
    } finally {
      server.close();
    }
  });
});
