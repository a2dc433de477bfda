export * from './schema';
export * from './errors';
export * from './load';
export { duration, durationMs, isTimeZone, type Duration } from './fields';
export * from './notifications';
