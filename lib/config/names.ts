/**
 * Names the runtime needs before any config is parsed (functions, vendors), without zod: a
 * function bundle loads this at init and the schema only on first use (lib/runtime/DECISIONS.md).
 */
export const vendors = ['tencent', 'kec', 'alibaba', 'cecstack'] as const;
export type VendorName = (typeof vendors)[number];

/** The five functions, by their deployed names, and where each one's policies live. */
export const functionPolicyKey = {
  'auto-delete': 'autoDelete',
  snapshots: 'snapshots',
  'spot-prices': 'spotPrices',
  'renewal-reminders': 'renewalReminders',
  'recycle-bin': 'recycleBin',
} as const;
export type FunctionName = keyof typeof functionPolicyKey;
export const functionNames = Object.keys(functionPolicyKey) as FunctionName[];
