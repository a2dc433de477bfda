import { startHarness, type Harness } from '../../support/harness';
import { alibabaFleet } from '../../support/vendor-fleet';

// Issue 17 item 7: on Alibaba, tags cost one DescribeTags per instance (seed 001 L8946-8987), so
// auto-delete reads them only for the instances its policies can act on, counted at the vendor.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const HOUR = 3_600_000;
const now = new Date('2026-11-20T00:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();

let h: Harness;
afterEach(() => h.stop());

it('the example policies (a tag source and a name TTL) over 400 instances read tags of 5 candidates only', async () => {
  const fleet = alibabaFleet();
  h = await startHarness([fleet.module]);
  h.sim.clock.set(now);
  fleet.bind(h.sim.clock);
  for (let i = 0; i < 395; i++) fleet.add({ name: `web-${i}`, createdAt: at(-10 * HOUR) });
  const tagged = [1, 2, 3].map((i) => fleet.add({ name: `db-${i}`, tags: { 'auto-delete-at': at(-HOUR) } }));
  const tmp = [1, 2].map((i) => fleet.add({ name: `tmp-${i}`, createdAt: at(-73 * HOUR) }));
  const cfg = h.config({
    autoDelete: [
      { name: 'expiring', source: { tag: 'auto-delete-at' } },
      { name: 'temp-ttl', selector: { names: ['tmp-*'] }, source: { ttl: '72h' } },
    ],
  });
  const report = await h.run('auto-delete', cfg, { dryRun: true });
  expect(report.errors).toEqual([]);
  const rows = (policy: string) => report.rows.filter((r) => r.policy === policy);
  // the blast-radius guard still counts the whole scope for the tag source: 3 of 400, not 3 of 3
  expect(rows('expiring').map((r) => [r.resource.split(' ')[0], r.status]).sort()).toEqual(tagged.map((id) => [id, 'planned']).sort());
  expect(rows('temp-ttl').map((r) => r.resource.split(' ')[0]).sort()).toEqual([...tmp].sort());
  const sent = (action: string) => h.sim.requests.filter((r) => r.action === action).length;
  expect(sent('DescribeTags')).toBe(5);
  // one tag-filtered listing for the tag source, four pages of 100 for the name TTL, whose TotalCount is
  // the guard's base for the tag source too (no count of the scope of its own: engine DECISIONS.md E6)
  expect(sent('DescribeInstances')).toBe(1 + 4);
});

it('a tag source alone counts the scope with one PageSize=1 request, so the guard still sees 3 of 400', async () => {
  const fleet = alibabaFleet();
  h = await startHarness([fleet.module]);
  h.sim.clock.set(now);
  fleet.bind(h.sim.clock);
  for (let i = 0; i < 397; i++) fleet.add({ name: `web-${i}`, createdAt: at(-10 * HOUR) });
  const tagged = [1, 2, 3].map((i) => fleet.add({ name: `db-${i}`, tags: { 'auto-delete-at': at(-HOUR) } }));
  const report = await h.run('auto-delete', h.config({ autoDelete: [{ name: 'expiring', source: { tag: 'auto-delete-at' } }] }), { dryRun: true });
  expect(report.errors).toEqual([]);
  // 3 of 3 would trip the 10 % guard; 3 of 400 does not
  expect(report.rows.map((r) => [r.resource.split(' ')[0], r.status]).sort()).toEqual(tagged.map((id) => [id, 'planned']).sort());
  // the scope's count (one item asked) and the one tag-filtered page
  expect(h.sim.requests.filter((r) => r.action === 'DescribeInstances')).toHaveLength(2);
  expect(h.sim.requests.filter((r) => r.action === 'DescribeTags')).toHaveLength(3);
});
