import { spotStatePath, SPOT_STATE_PATH_ENV } from '../../../lib/automations/spot-prices';
import { automationConfigSchema } from '../../../lib/config/schema';
import { DEFAULT_PRICE_STATE_PATH } from '../../../lib/state/price-history';

const config = (events: Record<string, unknown> = {}) =>
  automationConfigSchema.parse({ targets: [{ name: 'ks', vendor: 'kec', regions: ['cn-beijing-6'], credentials: { accessKeyIdEnv: 'A', secretEnv: 'B' } }], events });

describe('where spot-prices keeps its state (DECISIONS.md S7)', () => {
  it('SPOT_STATE_PATH wins (Lambda: a path under /tmp)', () => {
    expect(spotStatePath(config({ file: 'out/events.jsonl' }), { [SPOT_STATE_PATH_ENV]: '/tmp/spot/prices.json' })).toBe('/tmp/spot/prices.json');
  });
  it('else next to the events file, else the local default', () => {
    expect(spotStatePath(config({ file: 'out/events.jsonl' }), {})).toBe('out/state/prices.json');
    expect(spotStatePath(config(), { [SPOT_STATE_PATH_ENV]: '  ' })).toBe(DEFAULT_PRICE_STATE_PATH);
  });
});
