import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionNames } from '../../lib/config/schema';
import { normaliseWebhook, webhookFormats } from '../../lib/ingest/webhooks';
import { recognizeTrigger } from '../../lib/runtime/triggers';
import { EVENTS_DIR } from '../support/harness';

const samples = readdirSync(EVENTS_DIR).filter((f) => f.endsWith('.json'));
const read = (...p: string[]) => JSON.parse(readFileSync(join(EVENTS_DIR, ...p), 'utf8')) as unknown;

/** File name → the trigger kind the runtime must recognise. */
const KIND: Record<string, 'schedule' | 'manual' | 'event'> = {
  schedule: 'schedule',
  'manual-dry-run': 'manual',
  'manual-enforce': 'manual',
  'instance-created': 'event',
  'instance-deleted': 'event',
  'spot-interruption': 'event',
};

describe('events/ samples', () => {
  it('has a schedule, a manual dry-run and a manual enforce sample for every function', () => {
    for (const fn of functionNames)
      for (const kind of ['schedule', 'manual-dry-run', 'manual-enforce']) expect(samples).toContain(`${fn}.${kind}.json`);
  });

  it.each(samples)('%s is accepted by the runtime trigger schemas as what its name says', (file) => {
    const [fn, kind] = file.replace(/\.json$/, '').split('.') as [string, string];
    expect(functionNames).toContain(fn);
    const trigger = recognizeTrigger(read(file));
    expect(trigger.kind).toBe(KIND[kind]);
    if (trigger.kind === 'manual') expect(trigger.payload.dryRun).toBe(kind === 'manual-dry-run');
    if (trigger.kind === 'event')
      expect(trigger.event['detail-type'].toLowerCase().replace(' ', '-')).toBe(kind);
  });

  it.each(Object.keys(webhookFormats))('webhooks/%s.json normalises into a cloud event the runtime accepts', (vendor) => {
    const r = normaliseWebhook(vendor as keyof typeof webhookFormats, read('webhooks', `${vendor}.json`));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const trigger = recognizeTrigger({ source: r.event.source, 'detail-type': r.event.detailType, detail: r.event.detail });
    expect(trigger.kind).toBe('event');
  });
});
