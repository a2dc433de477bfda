// The DynamoDB store is not re-exported: importing lib/audit must not load the AWS SDK (cold start);
// open.ts imports it when that store is chosen.
export * from './record';
export * from './redact';
export * from './store';
export * from './file-store';
export * from './events';
export * from './open';
