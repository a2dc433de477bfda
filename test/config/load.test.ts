import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, durationMs, isTimeZone, loadConfig, parseConfig } from '../../lib/config';
import { parseConfigText, validateConfig } from '../../lib/config/read';
import { parseYaml } from '../../lib/config/yaml';

const fixture = readFileSync(new URL('./fixtures/valid.yml', import.meta.url), 'utf8');

const minimal = `
targets:
  - name: t1
    vendor: tencent
    regions: [ap-guangzhou]
    credentials: { accessKeyIdEnv: AK, secretEnv: SK }
`;

function errorOf(text: string): ConfigError {
  try {
    parseConfig(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const issuesOf = (text: string): { path: string; message: string }[] => errorOf(text).issues;

describe('parseConfig', () => {
  it('accepts the fixture that uses every option and keeps what it says', () => {
    const c = parseConfig(fixture);
    expect(c.targets.map((t) => [t.name, t.vendor])).toEqual([
      ['tencent-prod', 'tencent'],
      ['kec-main', 'kec'],
      ['apsara', 'alibaba'],
      ['cec', 'cecstack'],
    ]);
    expect(c.targets[0]!.settings).toEqual({
      signatureMethod: 'TC3-HMAC-SHA256',
      httpMethod: 'GET',
      regionalEndpoint: true,
    });
    expect(c.audit).toEqual({
      store: 'dynamodb',
      tableName: 'automation-audit',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4567',
    });
    const ad = c.policies.autoDelete[0]!;
    expect(ad.mode).toBe('enforce');
    expect(ad.exemptions.entries[0]!.until).toBe('2026-12-31T15:59:59.000Z'); // UTC inside the program
    expect(ad.source.list![0]!.at).toBe('2026-12-01T10:00:00.000Z');
    expect(c.policies.snapshots[0]!.retention.maxAge).toBe('52w');
    // A YAML number in a decimal field becomes the decimal string that was written.
    expect(c.policies.spotPrices[0]!.thresholds.maxRatioToOnDemand).toBe('0.4');
    expect(c.policies.spotPrices[0]!.thresholds.maxPrice).toBe('0.35');
    expect(c.policies.renewalReminders[0]!.renew).toEqual({
      periodMonths: 1,
      budget: '500.00',
      currency: 'CNY',
    });
  });

  it('fills every default for a minimal file', () => {
    const c = parseConfig(`${minimal}
policies:
  snapshots: [{ name: s, schedule: { every: 1d } }]
  recycleBin: [{ name: r }]
  autoDelete: [{ name: a }]
  spotPrices: [{ name: p, watches: running }]
  renewalReminders: [{ name: n }]
`);
    expect(c.safety).toEqual({
      maxDestructivePerRun: 20,
      maxDestructivePercent: 10,
      requestBudget: 50000,
      timeoutMarginMs: 30000,
    });
    expect(c.audit).toEqual({ store: 'file', path: '.automation/audit.jsonl' });
    expect(c.events).toEqual({});
    expect(c.targets[0]!.settings).toEqual({
      signatureMethod: 'HmacSHA256',
      httpMethod: 'POST',
      regionalEndpoint: false,
    });
    const s = c.policies.snapshots[0]!;
    expect(s).toMatchObject({
      mode: 'dry-run',
      selector: {},
      exemptions: { tag: 'automation-exempt', entries: [] },
      engine: 'ours',
      adoptForeign: false,
      namePrefix: 'ca-',
      retention: { minKeep: 1 },
      schedule: { every: '1d', timezone: 'Asia/Shanghai' },
    });
    expect(c.policies.autoDelete[0]!.source).toEqual({ tag: 'auto-delete-at' });
    expect(c.policies.spotPrices[0]!.thresholds).toEqual({ jumpWindow: '24h' });
    expect(c.policies.spotPrices[0]!.historyHours).toBe(72);
    expect(c.policies.renewalReminders[0]).toMatchObject({
      leadDays: [30, 7, 1],
      ownerTag: 'owner',
      autoRenew: false,
    });
    expect(c.policies.recycleBin[0]).toMatchObject({
      warnBefore: '24h',
      action: 'leave',
      retentionDays: 7,
      softDeleteTag: 'cloud-automation:purge-at',
    });
  });

  it('names the exact path and the expectation, and reports every problem at once', () => {
    const issues = issuesOf(`${minimal}
policies:
  snapshots:
    - name: a
      schedule: { every: 1h }
    - name: b
      schedule: { every: 1h, timezone: Mars/Olympus }
      retention: { keepDaily: seven }
  recycleBin: [{ name: r, action: shred, warnBefore: 3 days }]
`);
    expect(issues).toEqual([
      {
        path: 'policies.snapshots[1].schedule.timezone',
        message: 'expected an IANA time zone like "Asia/Shanghai", got "Mars/Olympus"',
      },
      { path: 'policies.snapshots[1].retention.keepDaily', message: 'expected an integer >= 0, got "seven"' },
      {
        path: 'policies.recycleBin[0].warnBefore',
        message: 'expected a duration like "30m", "72h", "7d" or "2w", got "3 days"',
      },
      {
        path: 'policies.recycleBin[0].action',
        message: 'expected one of "leave", "purge", "restore", got "shred"',
      },
    ]);
  });

  it('lists every issue in the message, one per line', () => {
    expect(() => parseConfig('targets: []\nsafety: { maxDestructivePercent: 150 }\n', 'x.yml')).toThrow(
      'x.yml: 2 problems\n  targets: expected at least one target, got an empty list\n  safety.maxDestructivePercent: expected a number from 0 to 100, got 150',
    );
  });

  it('rejects unknown keys, suggesting the likely one', () => {
    expect(issuesOf(`${minimal}    regoins: [x]\nsaftey: {}\n`)).toEqual([
      {
        path: 'targets[0].regoins',
        message: expect.stringMatching(
          /^unknown key \(did you mean "regions"\?\); expected one of: name, regions,/,
        ),
      },
      { path: 'saftey', message: expect.stringContaining('did you mean "safety"') },
    ]);
  });

  it('refuses literal secrets and never echoes them', () => {
    const secret = 'Zx9-literal-SECRET-value';
    const err = errorOf(`
targets:
  - name: t1
    vendor: alibaba
    regions: [r]
    credentials: { accessKeyIdEnv: AK, accessKeySecret: ${secret} }
    operatorCredentials: { accessKeyIdEnv: 42, secretEnv: ['${secret}'] }
`);
    expect(err.issues.map((i) => i.path)).toEqual([
      'targets[0].credentials.secretEnv',
      'targets[0].credentials.accessKeySecret',
      'targets[0].operatorCredentials.accessKeyIdEnv',
      'targets[0].operatorCredentials.secretEnv',
    ]);
    expect(err.issues[1]!.message).toMatch(/use|secretEnv.*secretParameter/);
    expect(err.issues[2]!.message).toBe(
      'expected the name of an environment variable, got a number (value not shown)',
    );
    expect(err.message).not.toContain(secret);
  });

  it('refuses a vendor endpoint that carries a user name or password (a failed call names its endpoint) and never echoes it', () => {
    const secret = 'Zx9-endpoint-SECRET';
    const err = errorOf(`
targets:
  - name: t1
    vendor: tencent
    regions: [ap-guangzhou]
    endpoint: https://AKIDuser:${secret}@cvm.tencentcloudapi.com
    credentials: { accessKeyIdEnv: AK, secretEnv: SK }
  - name: c1
    vendor: cecstack
    regions: [region0]
    endpoint: https://ecs.example.com
    credentials: { accessKeyIdEnv: AK, secretEnv: SK }
    settings: { operatorEndpoint: 'https://op:${secret}@ops.example.com' }
`);
    expect(err.issues.map((i) => i.path)).toEqual(['targets[0].endpoint', 'targets[1].settings.operatorEndpoint']);
    for (const issue of err.issues) expect(issue.message).toMatch(/user name or password.*credentials/);
    expect(err.message).not.toContain(secret);
    // without them, the same endpoints are fine
    expect(() => parseConfig(`${minimal}    endpoint: https://cvm.tencentcloudapi.com\n`)).not.toThrow();
  });

  it('checks references across the file', () => {
    const issues = issuesOf(`
targets:
  - { name: t1, vendor: tencent, regions: [r1], credentials: { accessKeyIdEnv: A, secretEnv: B } }
  - { name: k1, vendor: kec, regions: [r2], credentials: { accessKeyIdEnv: A, secretEnv: B } }
  - { name: t1, vendor: alibaba, regions: [r3], credentials: { accessKeyIdEnv: A, secretEnv: B } }
policies:
  autoDelete:
    - { name: all-tagged, selector: { tags: { env: test } } }
    - { name: tencent-only, targets: [t1], selector: { tags: { env: test } } }
    - { name: ghost, targets: [t9], regions: [r2] }
    - { name: tencent-only }
  spotPrices:
    - { name: w, targets: [k1], watches: [{ target: k1, region: r9, zone: z, instanceType: x }] }
`);
    expect(issues).toEqual([
      { path: 'targets[2].name', message: 'duplicate target name "t1": target names must be unique' },
      {
        path: 'policies.autoDelete[0].selector.tags',
        message: expect.stringMatching(/^KEC has no tags: select by names, ids or projects/),
      },
      {
        path: 'policies.autoDelete[2].targets[0]',
        message: 'unknown target "t9"; configured targets: "t1", "k1"',
      },
      {
        path: 'policies.autoDelete[3].name',
        message: expect.stringContaining('duplicate policy name "tencent-only"'),
      },
      {
        path: 'policies.spotPrices[0].watches[0].region',
        message: `region "r9" is not one of target "k1"'s regions`,
      },
    ]);
  });

  it('turns YAML syntax errors into ConfigError with line and column, without quoting the source', () => {
    const issues = issuesOf('targets:\n  - name: t1\n    credentials: { secretEnv: hunter2-secret\n');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.path).toMatch(/^line \d+, column \d+$/);
    expect(issues[0]!.message).toMatch(/^YAML syntax error: /);
    expect(JSON.stringify(issues)).not.toContain('hunter2');
  });

  it('explains an empty file, a non-mapping and duplicate keys', () => {
    expect(issuesOf('')).toEqual([
      { path: '(top level)', message: expect.stringContaining('the file is empty') },
    ]);
    expect(issuesOf('just text')).toEqual([
      { path: '(top level)', message: 'expected a mapping, got "just text"' },
    ]);
    expect(issuesOf('safety: {}\nsafety: {}\n')[0]!.message).toMatch(/unique/);
  });

  it('rejects decimals that a float cannot hold and keeps quoted ones exact', () => {
    const spot = (v: string) =>
      `${minimal}policies:\n  spotPrices: [{ name: p, watches: running, thresholds: { maxPrice: ${v} } }]\n`;
    expect(parseConfig(spot("'0.123456789012345678'")).policies.spotPrices[0]!.thresholds.maxPrice).toBe(
      '0.123456789012345678',
    );
    expect(parseConfig(spot('0.0000001')).policies.spotPrices[0]!.thresholds.maxPrice).toBe('0.0000001');
    expect(issuesOf(spot('0.123456789012345678'))[0]!.message).toMatch(/too many digits/);
    expect(issuesOf(spot('-1'))[0]!.path).toBe('policies.spotPrices[0].thresholds.maxPrice');
    expect(issuesOf(spot("'1,5'"))[0]!.message).toBe(
      'expected a non-negative decimal like "0.25" (quote it to keep every digit), got "1,5"',
    );
  });
});

describe('loadConfig', () => {
  it('reads AUTOMATION_CONFIG, and names the variable when the file is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'a.yml');
    await writeFile(file, minimal);
    const before = process.env.AUTOMATION_CONFIG;
    process.env.AUTOMATION_CONFIG = file;
    try {
      expect((await loadConfig()).targets[0]!.name).toBe('t1');
    } finally {
      if (before === undefined) delete process.env.AUTOMATION_CONFIG;
      else process.env.AUTOMATION_CONFIG = before;
    }
    await expect(loadConfig(join(dir, 'missing.yml'))).rejects.toThrow(
      /cannot read the config file \(ENOENT\); set AUTOMATION_CONFIG/,
    );
  });
});

describe('durationMs', () => {
  it('converts each unit', () => {
    expect(['30m', '72h', '7d', '2w'].map(durationMs)).toEqual([
      1_800_000, 259_200_000, 604_800_000, 1_209_600_000,
    ]);
    expect(() => durationMs('3 days')).toThrow(RangeError);
  });
});

// The functions read a JSON config without loading the YAML parser (lib/runtime/DECISIONS.md
// "Cold start"); the outcome must be the YAML parser's, errors included.
describe('a config written as JSON', () => {
  const yamlOnly = (text: string) => {
    try {
      return { config: parseYamlOnly(text) };
    } catch (e) {
      return { issues: (e as ConfigError).issues };
    }
  };
  // what parseConfig returned before JSON was read with JSON.parse: the YAML parser, then the schema
  const parseYamlOnly = (text: string) => validateConfig(parseYaml(text, 'automation config'), 'automation config');
  const outcome = (text: string) => {
    try {
      return { config: parseConfig(text) };
    } catch (e) {
      return { issues: (e as ConfigError).issues };
    }
  };
  const fixtureData = parseYaml(fixture, 'fixture') as Record<string, unknown>;

  it.each([
    ['the every-option fixture', JSON.stringify(fixtureData)],
    ['indented, with a trailing newline', `${JSON.stringify(fixtureData, null, 2)}\n`],
    ['an invalid config (errors name the field)', JSON.stringify({ ...fixtureData, safety: { maxDestructivePerRun: -1, typo: 1 } })],
    ['a duplicate key (YAML refuses it)', '{"safety": {}, "safety": {}}'],
    ['a duplicate key in a nested mapping', JSON.stringify(fixtureData).replace('"targets":[{', '"targets":[{"name":"x",')],
    ['a YAML merge key', `{"targets": [{"<<": ${JSON.stringify((fixtureData.targets as unknown[])[0])}}], "policies": {}}`],
    ['a key with escaped quotes and colons', '{"safety": {"a\\":b": 1}}'],
    ['a top-level list', '[1, 2]'],
    ['null', 'null'],
    ['broken JSON (the YAML parser reports it)', '{"safety": {'],
    ['a JSON-looking YAML flow mapping', '{safety: {}}'],
  ])('%s: same outcome as the YAML parser, through either entry point', async (_what, text) => {
    const expected = yamlOnly(text);
    expect(outcome(text)).toEqual(expected);
    const viaText = await parseConfigText(text).then(
      (config) => ({ config }),
      (e: ConfigError) => ({ issues: e.issues }),
    );
    expect(viaText).toEqual(expected);
  });

  it('accepts time zone aliases as before, and still refuses what is not a zone', () => {
    const zone = (z: string) => issuesOf(`${minimal}notifications: { timeZone: ${JSON.stringify(z)} }\n`);
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Asia/Calcutta')).toBe(true); // an alias, not in Intl.supportedValuesOf
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(zone('Mars/Olympus')).toEqual([{ path: 'notifications.timeZone', message: 'expected an IANA time zone like "Asia/Shanghai", got "Mars/Olympus"' }]);
  });
});
