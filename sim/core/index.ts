export * from './clock';
export * from './faults';
export * from './random';
export * from './rate-limit';
export * from './server';
export * from './types';
