import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { clearSsmCache, configFromSsm, ingestSecret, loadConfig } from '../../lib/runtime/ssm-config';

const CONFIG = JSON.stringify({
  targets: [{ name: 'kec-prod', vendor: 'kec', regions: ['cn-beijing-6'], credentials: { accessKeyIdParameter: '/ca/test/kec/id', secretParameter: '/ca/test/kec/secret' } }],
});

/** An SSM stand-in: GetParameter from a map, counting reads. */
function fakeSsm(values: Record<string, string>) {
  const reads: string[] = [];
  const client = {
    send: async (cmd: { input: { Name: string; WithDecryption?: boolean } }) => {
      reads.push(cmd.input.Name);
      if (!cmd.input.WithDecryption) throw new Error('SecureString read without decryption');
      const value = values[cmd.input.Name];
      if (value === undefined) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
      return { Parameter: { Value: value } };
    },
    // what Powertools Parameters checks before using a client as an AWS SDK v3 client
    config: {},
    middlewareStack: { identify: () => [], addRelativeTo: () => undefined },
  };
  return { ssm: client as unknown as SSMClient, reads };
}

describe('lib/runtime/ssm-config', () => {
  beforeEach(() => clearSsmCache());

  it('reads AUTOMATION_CONFIG=ssm:<name> once (decrypted), and points audit and events at the stack', async () => {
    const { ssm, reads } = fakeSsm({ '/ca/test/config': CONFIG });
    const env = { AUTOMATION_CONFIG: 'ssm:/ca/test/config', AUTOMATION_BUS: 'cloud-automation-test', AUTOMATION_AUDIT_TABLE: 'audit-test' };
    const config = await loadConfig({ env, ssm });
    expect(config.targets.map((t) => t.name)).toEqual(['kec-prod']);
    expect(config.events.busName).toBe('cloud-automation-test');
    expect(config.audit).toEqual({ store: 'dynamodb', tableName: 'audit-test' });
    await loadConfig({ env, ssm });
    expect(reads).toEqual(['/ca/test/config']);
  });

  it('names a missing parameter; reads a file path as before; empty stack variables change nothing', async () => {
    const { ssm } = fakeSsm({});
    await expect(loadConfig({ env: { AUTOMATION_CONFIG: 'ssm:/ca/none' }, ssm })).rejects.toThrow(/SSM parameter \/ca\/none does not exist/);
    const path = join(mkdtempSync(join(tmpdir(), 'ca-ssm-')), 'automation.json');
    writeFileSync(path, CONFIG);
    const config = await loadConfig({ env: { AUTOMATION_CONFIG: path, AUTOMATION_BUS: '', AUTOMATION_AUDIT_TABLE: '' }, ssm });
    expect(config.audit.store).toBe('file');
    expect(config.events.busName).toBeUndefined();
    // sls invoke local passes the deployed environment along with IS_LOCAL: the file's stores stay
    const local = await loadConfig({ env: { AUTOMATION_CONFIG: path, AUTOMATION_BUS: 'bus', AUTOMATION_AUDIT_TABLE: 'table', IS_LOCAL: 'true' }, ssm });
    expect(local.audit.store).toBe('file');
    expect(local.events.busName).toBeUndefined();
  });

  it('takes the ingest secret from the environment or its SSM parameter, and says which to set', async () => {
    const { ssm } = fakeSsm({ '/ca/test/ingest/hmac-secret': 's3cret' });
    expect(await ingestSecret({ env: { INGEST_HMAC_SECRET_PARAMETER: '/ca/test/ingest/hmac-secret' }, ssm })).toBe('s3cret');
    expect(await ingestSecret({ env: { INGEST_HMAC_SECRET: 'local' }, ssm })).toBe('local');
    await expect(ingestSecret({ env: {}, ssm })).rejects.toThrow(/INGEST_HMAC_SECRET_PARAMETER/);
  });

  it('picks up a changed config after the cache age, parsing it again only when it changed', async () => {
    const values: Record<string, string> = { '/ca/test/config': CONFIG };
    const { ssm, reads } = fakeSsm(values);
    const env = { AUTOMATION_CONFIG: 'ssm:/ca/test/config' };
    const first = await loadConfig({ env, ssm, maxAgeSeconds: 0 });
    const same = await loadConfig({ env, ssm, maxAgeSeconds: 0 });
    expect(reads).toHaveLength(2); // age 0: asked every time
    expect(same.targets).toBe(first.targets); // same text: not parsed again
    values['/ca/test/config'] = CONFIG.replace('kec-prod', 'kec-new');
    expect((await loadConfig({ env, ssm, maxAgeSeconds: 0 })).targets.map((t) => t.name)).toEqual(['kec-new']);
    expect(configFromSsm(env)).toBe(true);
    expect(configFromSsm({ AUTOMATION_CONFIG: '/etc/automation.yml' })).toBe(false);
  });
});
