import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditStore, type AuditRecord } from '../../lib/audit';
import { DynamoAuditStore } from '../../lib/audit/dynamo-store';
import { startDynalite } from '../audit/dynalite-server';
import { resolveConfigPath } from '../../lib/cli/config-path';
import { main } from '../../lib/cli/main';
import { parseWhen } from '../../lib/cli/since';

// "What did it delete yesterday, why, and how do I undo it": answers from the trail.
describe('cloud-automation audit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-audit-'));
  const auditPath = join(dir, 'audit.jsonl');
  const configPath = join(dir, 'config.yml');
  // the operator's clock: 2026-11-25 10:00 in Shanghai
  const NOW = new Date('2026-11-25T02:00:00Z');
  const out: string[] = [];
  const err: string[] = [];
  const run = (...argv: string[]) => main(argv, (s) => out.push(s), (s) => err.push(s), { interactive: false, progress: undefined, columns: 120, now: () => NOW });

  const record = (at: string, resourceId: string, action: string, extra: Partial<AuditRecord> = {}): AuditRecord => ({
    schemaVersion: 1,
    phase: 'result',
    actionKey: `auto-delete|ad|tencent-prod|ap-guangzhou|${resourceId}|${action}|${at}`,
    runId: `run-${at.slice(0, 10)}`,
    trigger: 'schedule',
    function: 'auto-delete',
    policy: 'ad',
    vendor: 'tencent',
    target: 'tencent-prod',
    region: 'ap-guangzhou',
    resourceId,
    resourceKind: 'instance',
    action,
    mode: 'enforce',
    reason: `due at ${at} (from tag)`,
    outcome: 'success',
    requestIds: [],
    at,
    ...extra,
  });

  beforeAll(async () => {
    writeFileSync(
      configPath,
      [
        'targets: [{ name: tencent-prod, vendor: tencent, regions: [ap-guangzhou], credentials: { accessKeyIdEnv: X_ID, secretEnv: X_SECRET } }]',
        `audit: { store: file, path: ${auditPath} }`,
        'display: { timezone: Asia/Shanghai }',
      ].join('\n'),
    );
    const store = new FileAuditStore(auditPath);
    await store.putResult(record('2026-11-23T10:00:00Z', 'ins-old', 'delete-instance')); // 2 days ago
    await store.putResult(record('2026-11-23T17:00:00Z', 'ins-y1', 'delete-instance', { undoHint: 'restore it from the recycle bin' })); // 24th 01:00 +08
    await store.putResult(record('2026-11-24T12:00:00Z', 'ins-y2', 'set-auto-delete-time', { reason: 'timer, "quoted", set' })); // 24th 20:00 +08
    await store.putResult(record('2026-11-24T20:00:00Z', 'ins-today', 'delete-instance')); // 25th 04:00 +08
    await store.close();
  });
  beforeEach(() => {
    out.length = 0;
    err.length = 0;
  });
  const json = () => (JSON.parse(out.join('\n')) as AuditRecord[]).map((r) => r.resourceId);

  it('--since takes 24h, 7d, yesterday (in the display zone) and dates', async () => {
    expect(await run('audit', '--config', configPath, '--since', '24h', '--json')).toBe(0);
    expect(json()).toEqual(['ins-y2', 'ins-today']);
    out.length = 0;
    expect(await run('audit', '--config', configPath, '--since', 'yesterday', '--format', 'json')).toBe(0);
    expect(json()).toEqual(['ins-y1', 'ins-y2']);
    out.length = 0;
    expect(await run('audit', '--config', configPath, '--since', '2026-11-25', '--json')).toBe(0);
    expect(json()).toEqual(['ins-today']);
    expect(parseWhen('--since', '7d', NOW, 'UTC').at.toISOString()).toBe('2026-11-18T02:00:00.000Z');
    expect(await run('audit', '--config', configPath, '--since', 'last tuesday')).toBe(2);
    expect(err.join('\n')).toMatch(/--since: expected 24h, 7d.*got "last tuesday"/);
  });

  it('repeated --action keeps every value; --limit gives the newest records', async () => {
    expect(await run('audit', '--config', configPath, '--action', 'delete-instance', '--action', 'set-auto-delete-time', '--json')).toBe(0);
    expect(json()).toEqual(['ins-old', 'ins-y1', 'ins-y2', 'ins-today']);
    out.length = 0;
    expect(await run('audit', '--config', configPath, '--limit', '2', '--json')).toBe(0);
    expect(json()).toEqual(['ins-y2', 'ins-today']);
  });

  it('a typo in a filter value is an error naming the valid values', async () => {
    expect(await run('audit', '--config', configPath, '--outcome', 'sucess')).toBe(2);
    expect(err.join('\n')).toMatch(/--outcome: expected one of planned, success, failed, skipped, refused, reconciled, got "sucess"/);
    expect(await run('audit', '--config', configPath, '--action', 'delte-instance')).toBe(2);
    expect(err.join('\n')).toMatch(/no record has action "delte-instance"; actions in the trail: delete-instance, set-auto-delete-time/);
    expect(await run('audit', '--config', configPath, '--format', 'xml')).toBe(2);
    expect(err.join('\n')).toMatch(/--format: expected one of table, json, csv, jsonl/);
  });

  it('tables show times in the display zone and the undo hint; csv quotes what needs it', async () => {
    expect(await run('audit', '--config', configPath, '--resource', 'ins-y1')).toBe(0);
    const table = out.join('\n');
    expect(table).toContain('2026-11-24 01:00 +08:00');
    expect(table.replace(/\s+/g, ' ')).toContain('↩ undo: restore it from the recycle bin');
    expect(Math.max(...table.split('\n').map((l) => l.length))).toBeLessThanOrEqual(120);
    out.length = 0;
    expect(await run('audit', '--config', configPath, '--resource', 'ins-y2', '--format', 'csv')).toBe(0);
    const [head, row] = out.join('\n').split('\n');
    expect(head).toBe('at,runId,phase,outcome,function,policy,vendor,target,region,resourceId,action,mode,reason,undoHint');
    expect(row).toContain(',"timer, ""quoted"", set",');
  });

  it('--format jsonl exports one record per line, streamed (each line written as it is read), from the file store and DynamoDB', async () => {
    expect(await run('audit', '--config', configPath, '--format', 'jsonl')).toBe(0);
    expect(out.map((l) => (JSON.parse(l) as AuditRecord).resourceId)).toEqual(['ins-old', 'ins-y1', 'ins-y2', 'ins-today']);
    expect(out.map((l) => JSON.parse(l) as AuditRecord)[1]).toMatchObject({ undoHint: 'restore it from the recycle bin', outcome: 'success' });
    out.length = 0;
    expect(await run('audit', '--config', configPath, '--format', 'jsonl', '--action', 'set-auto-delete-time', '--action', 'delete-instance', '--since', 'yesterday')).toBe(0);
    expect(out.map((l) => (JSON.parse(l) as AuditRecord).resourceId)).toEqual(['ins-y1', 'ins-y2']);

    // the same export from the DynamoDB store (the CLI may scan it; the functions never do)
    const dynamo = await startDynalite();
    const env = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'fake-id'; // dynalite checks no signature, but the SDK needs credentials
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
    try {
      const tableName = await dynamo.createAuditTable();
      const store = new DynamoAuditStore({ tableName, client: dynamo.client });
      for (const [at, id] of [['2026-11-23T10:00:00Z', 'ins-a'], ['2026-11-24T12:00:00Z', 'ins-b']] as const) await store.putResult(record(at, id, 'delete-instance'));
      const dynamoConfig = join(dir, 'dynamo.yml');
      writeFileSync(
        dynamoConfig,
        [
          'targets: [{ name: tencent-prod, vendor: tencent, regions: [ap-guangzhou], credentials: { accessKeyIdEnv: X_ID, secretEnv: X_SECRET } }]',
          `audit: { store: dynamodb, tableName: ${tableName}, endpoint: "${dynamo.endpoint}", region: us-east-1 }`,
        ].join('\n'),
      );
      out.length = 0;
      expect(await run('audit', '--config', dynamoConfig, '--format', 'jsonl')).toBe(0);
      expect(out.map((l) => (JSON.parse(l) as AuditRecord).resourceId).sort()).toEqual(['ins-a', 'ins-b']);
      out.length = 0;
      expect(await run('audit', '--config', dynamoConfig, '--format', 'jsonl', '--resource', 'ins-b')).toBe(0);
      expect(out.map((l) => (JSON.parse(l) as AuditRecord).at)).toEqual(['2026-11-24T12:00:00.000Z']);
    } finally {
      for (const [k, v] of [['AWS_ACCESS_KEY_ID', env.id], ['AWS_SECRET_ACCESS_KEY', env.secret]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await dynamo.close();
    }
  });

  it('finds the config without flags: AUTOMATION_CONFIG, ./automation.yml, then the demo config of npm start', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ca-cwd-'));
    expect(() => resolveConfigPath(undefined, {}, cwd)).toThrow(/no config found: pass --config PATH, set AUTOMATION_CONFIG/);
    mkdirSync(join(cwd, '.automation'));
    writeFileSync(join(cwd, '.automation/demo-config.yml'), '');
    expect(resolveConfigPath(undefined, {}, cwd)).toBe(join(cwd, '.automation/demo-config.yml'));
    writeFileSync(join(cwd, 'automation.yml'), '');
    expect(resolveConfigPath(undefined, {}, cwd)).toBe(join(cwd, 'automation.yml'));
    expect(resolveConfigPath(undefined, { AUTOMATION_CONFIG: 'x.yml' }, cwd)).toBe('x.yml');
    expect(resolveConfigPath('y.yml', { AUTOMATION_CONFIG: 'x.yml' }, cwd)).toBe('y.yml');
  });
});
