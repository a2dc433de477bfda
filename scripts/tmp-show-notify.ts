import { createServer } from 'node:http';
import { makeActionKey } from '../lib/audit';
import { notificationsSchema } from '../lib/config/notifications';
import { buildChannels, deliver, type DeliveryLedger } from '../lib/notify';

const bodies: string[] = [];
const server = createServer((req, res) => { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => { bodies.push(b); res.end('{"errcode":0,"errmsg":"ok"}'); }); });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/robot/send?access_token=x`;
const key = (id: string, fn: string, action: string) => makeActionKey({ function: fn as never, policy: 'p', target: 'tencent-prod', region: 'ap-guangzhou', resourceId: id, action, slot: 's' });
const events = [
  { 'detail-type': 'Renewal Reminder', detail: { policy: 'prod-renewals', vendor: 'tencent', target: 'tencent-prod', region: 'ap-guangzhou', instance: { id: 'ins-7f3a9c01', name: 'web-01' }, owner: 'alice', expiresAt: '2026-12-01T09:00:00Z', daysLeft: 7, stageDays: 7, renewFlag: 'manual', autoRenew: { enabled: false, planned: false }, quote: { total: '368.64', currency: 'CNY', periodMonths: 1, parts: [] }, renewPlanned: false, message: '', actionKey: key('ins-7f3a9c01', 'renewal-reminders', 'send-reminder'), runId: 'r1' } },
  { 'detail-type': 'Recycle Bin Purge Warning', detail: { vendor: 'tencent', target: 'tencent-prod', region: 'ap-guangzhou', resourceId: 'ins-2b8d0e47', kind: 'instance', purgeAt: '2026-11-25T04:30:00Z', purgeAtSource: 'vendor', policyAction: 'leave', actionKey: key('ins-2b8d0e47', 'recycle-bin', 'warn-purge'), runId: 'r1' } },
];
const ledger: DeliveryLedger = { claim: async () => ({ state: 'claimed', attempt: 1, key: 'k' }), complete: async () => {} };
for (const [type, language] of [['dingtalk', 'zh'], ['wecom', 'zh'], ['dingtalk', 'en']] as const) {
  const config = notificationsSchema.parse({ language, channels: [{ name: 'c', type, url: { env: 'U' } }], owners: { alice: { mobile: '13800000001' } }, consoleLinks: { tencent: 'https://console.cloud.tencent.com/cvm/instance/detail?rid=1&id={id}' } });
  await deliver(events, { config, ledger, channels: await buildChannels(config, { env: { U: url } }) });
  console.log(`---- ${type} ${language}\n${JSON.stringify(JSON.parse(bodies.pop()!), null, 1)}`);
}
server.close();
