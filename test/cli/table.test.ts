import type { PlanRow } from '../../lib/automations/engine/types';
import { formatPlanTable, formatReport, groupRows, wrap } from '../../lib/cli/table';
import { formatTime, localizeTimes } from '../../lib/cli/time';

const base: PlanRow = {
  function: 'auto-delete',
  policy: 'ttl',
  vendor: 'tencent',
  target: 'tencent-prod',
  region: 'ap-guangzhou',
  resource: 'ins-1',
  action: 'delete-instance',
  reason: 'due at 2026-11-24T03:00:00.000Z (from tag)',
  status: 'planned',
};
const GUARD = 'refused by blast-radius guard: 184 of 200 selected (10% allows 20); raise safety.maxDestructivePercent if intended';
const refused = (i: number): PlanRow => ({ ...base, resource: `ins-${i} (tmp-${i})`, reason: `due at 2026-11-2${i % 9}T03:00:00.000Z (from ttl) — ${GUARD}`, status: 'refused' });

describe('plan tables people read', () => {
  it('fits the terminal: no line is wider than it, and the reason wraps in its column instead of being cut', () => {
    const table = formatPlanTable([refused(1), { ...base, reason: `due soon — ${GUARD}`, status: 'skipped' }], { columns: 120 });
    const lines = table.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
    expect(table.replace(/\s+/g, ' ')).toContain('raise safety.maxDestructivePercent if intended');
    const reasonColumn = lines[0]!.indexOf('reason');
    const continuation = lines.slice(2).filter((l) => l.slice(0, reasonColumn).trim() === '');
    expect(continuation.length).toBeGreaterThan(0); // wrapped lines start in the reason column
  });

  it('--wide prints every row on one line, in full', () => {
    const table = formatPlanTable([refused(1)], {});
    expect(table.split('\n')).toHaveLength(3);
    expect(table).toContain(GUARD);
  });

  it('groups identical outcomes into one line with a count; planned actions stay one per resource', () => {
    const rows = [...Array.from({ length: 184 }, (_, i) => refused(i)), { ...base, resource: 'ins-a' }, { ...base, resource: 'ins-b' }];
    const grouped = groupRows(rows);
    expect(grouped).toHaveLength(3);
    expect(grouped[0]).toMatchObject({ resource: '184 × ins-0, ins-1, …', status: 'refused', reason: GUARD });
    expect(formatReport({ function: 'auto-delete', runId: 'r', rows, summary: {}, errors: [] }, { columns: 100 })).toMatch(/summary: planned 2, refused 184/);
  });

  it('shows times in the display zone with the offset', () => {
    expect(formatTime('2026-11-24T03:00:00.000Z', 'Asia/Shanghai')).toBe('2026-11-24 11:00 +08:00');
    expect(formatTime('2026-07-01T12:00:30Z', 'Europe/Berlin')).toBe('2026-07-01 14:00:30 +02:00');
    expect(localizeTimes('due at 2026-11-24T03:00:00.000Z (from tag)', 'Asia/Shanghai')).toBe('due at 2026-11-24 11:00 +08:00 (from tag)');
    expect(formatPlanTable([base], { zone: 'Asia/Shanghai' })).toContain('due at 2026-11-24 11:00 +08:00');
  });

  it('wraps words, splitting only words longer than the width', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });
});
