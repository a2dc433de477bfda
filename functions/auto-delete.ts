import { fanoutHandler } from '../lib/runtime/fanout-handler';

// In-process for manual and event runs; dispatch/worker over SQS when FANOUT_QUEUE_URL is set (docs/fanout.md).
export const handler = fanoutHandler('auto-delete');
