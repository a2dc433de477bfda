export * from './record';
export * from './redact';
export * from './store';
export * from './file-store';
export * from './dynamo-store';
export * from './events';
export * from './open';
