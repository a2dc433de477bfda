export * from './work-item';
export * from './restrict';
export * from './plan';
export * from './queue';
export * from './worker';
export * from './dispatcher';
export * from './timings';
