import { ConfigError, parseConfig } from '../../lib/config';
import { auditStoreConfigOf } from '../../lib/audit/open';

const withAudit = (audit: string) => `
targets:
  - name: t1
    vendor: tencent
    regions: [ap-guangzhou]
    credentials: { accessKeyIdEnv: AK, secretEnv: SK }
audit:
${audit}
`;

describe('audit.retention', () => {
  it('is off by default (kept forever) and, when set, becomes the store TTL in days', () => {
    const forever = parseConfig(withAudit('  store: dynamodb\n  tableName: audit'));
    expect(auditStoreConfigOf(forever.audit)).toMatchObject({ kind: 'dynamodb', retentionDays: undefined });
    const kept = parseConfig(withAudit('  store: dynamodb\n  tableName: audit\n  retention: 60w'));
    expect(auditStoreConfigOf(kept.audit)).toMatchObject({ retentionDays: 420 });
    const file = parseConfig(withAudit('  store: file\n  retention: 100d'));
    expect(auditStoreConfigOf(file.audit)).toEqual({ kind: 'file', path: '.automation/audit.jsonl', retentionDays: 100 });
    expect(() => parseConfig(withAudit('  store: file\n  retention: 89d'))).toThrow(ConfigError);
  });

  it('refuses a retention shorter than what runs look back on, naming the field and the fix', () => {
    try {
      parseConfig(withAudit('  store: dynamodb\n  tableName: audit\n  retention: 30d'));
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues).toEqual([expect.objectContaining({ path: 'audit.retention', message: expect.stringMatching(/at least 90 days.*leave it out to keep records forever/) })]);
    }
  });
});
