// Writes intents for keys 0..n-1 into one file store and prints which it won (one process of several).
import { FileAuditStore } from '../../lib/audit/file-store';
import { sampleRecord } from './fixtures';

const [path, runId, n] = process.argv.slice(2);
const store = new FileAuditStore(path!);
const won: number[] = [];
for (let i = 0; i < Number(n); i++) {
  const r = sampleRecord({ resourceId: `ins-${i}`, runId: runId!, at: '2026-03-01T02:00:00Z' });
  const key = r.actionKey.replace(/#\d+$/, '#0');
  if ((await store.putIntent({ ...r, actionKey: key })) === 'written') won.push(i);
  await store.putRecord(sampleRecord({ phase: 'notice', resourceId: `ins-${i}`, runId: runId! }));
}
await store.close();
process.stdout.write(JSON.stringify(won));
