import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../lib/cli/main';
import { createTencentSim, type TencentSim } from '../../sim/tencent';
import { startHarness, type Harness } from '../support/harness';
import { dingtalkReceiver, wecomReceiver, type Receiver } from '../support/notify-receivers';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const DAY = 86_400_000;
const NOW = '2026-11-24T01:00:00Z';

describe('local delivery: `cloud-automation apply` sends the run notices through the configured channels', () => {
  let h: Harness;
  let cvm: TencentSim;
  let ding: Receiver;
  let wecom: Receiver;
  let configPath: string;
  const out: string[] = [];
  const run = (...argv: string[]) => main(argv, (s) => out.push(s), (s) => out.push(s));

  beforeAll(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set(NOW);
    cvm.bindClock(h.sim.clock);
    ding = await dingtalkReceiver({ accessToken: 'd'.repeat(64), secret: `SEC${'5'.repeat(64)}`, now: Date.now });
    wecom = await wecomReceiver({ key: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0', now: Date.now });
    process.env.NT_DING_URL = ding.url;
    process.env.NT_DING_SECRET = `SEC${'5'.repeat(64)}`;
    process.env.NT_WECOM_URL = wecom.url;
    const config = h.config({ renewalReminders: [{ name: 'renewals', mode: 'enforce' }] });
    configPath = join(h.dir, 'notify-config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        ...config,
        notifications: {
          channels: [
            { name: 'owners-dingtalk', type: 'dingtalk', url: { env: 'NT_DING_URL' }, secret: { env: 'NT_DING_SECRET' } },
            { name: 'ops-wecom', type: 'wecom', url: { env: 'NT_WECOM_URL' } },
          ],
          routes: [
            { match: { detailTypes: ['Renewal Reminder'] }, toOwner: true, channels: ['ops-wecom'] },
          ],
          owners: { amy: { channels: ['owners-dingtalk'], mobile: '13800000001' } },
        },
      }),
    );
  });
  afterAll(async () => {
    await Promise.all([h.stop(), ding.close(), wecom.close()]);
  });

  it('delivers each reminder once: the owner in DingTalk, the unowned to the ops WeCom group; a second apply sends nothing', async () => {
    const amy = cvm.addInstance({ InstanceChargeType: 'PREPAID', InstanceName: 'amy-web', expiredMs: Date.parse(NOW) + 5 * DAY, tags: { owner: 'amy' } });
    const nobody = cvm.addInstance({ InstanceChargeType: 'PREPAID', InstanceName: 'orphan', expiredMs: Date.parse(NOW) + 6 * DAY });
    expect(await run('apply', '--config', configPath, '--function', 'renewal-reminders', '--now', NOW, '--yes')).toBe(0);
    expect(out.join('\n')).toMatch(/notifications: 3 notices → owners-dingtalk: 1 in 1 message; ops-wecom: 1 in 1 message \(1 matched no route\)/); // the digest: no route names it
    expect(ding.posts).toHaveLength(1);
    const text = (ding.posts[0]!.body.markdown as { text: string }).text;
    expect(text).toContain(`amy-web (${amy.InstanceId})`);
    expect(text).toContain('5 天后到期'); // the 7-day stage, 5 days left
    expect(text).toContain('@13800000001');
    expect(wecom.posts).toHaveLength(1);
    expect((wecom.posts[0]!.body.markdown as { content: string }).content).toContain(nobody.InstanceId);

    out.length = 0;
    expect(await run('apply', '--config', configPath, '--function', 'renewal-reminders', '--now', NOW, '--yes')).toBe(0);
    expect(ding.posts).toHaveLength(1);
    expect(wecom.posts).toHaveLength(1);
    const audit = readFileSync(join(h.dir, 'audit.jsonl'), 'utf8');
    expect(audit).toContain('"action":"notify:owners-dingtalk"');
    expect(audit).not.toContain('d'.repeat(64)); // the access token never reaches the trail
  });
});
