import { createHandler } from '../lib/runtime/handler';
import { createSummary } from '../lib/runtime/summary';

// Does nothing on the runtime wrapper: the bundle-size and cold-start baseline.
export const handler = createHandler('_empty', async (ctx) => createSummary(ctx).build());
