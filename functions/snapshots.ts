import { automationHandler } from '../lib/runtime/run-automation';

export const handler = automationHandler('snapshots');
