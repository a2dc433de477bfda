export * from './types';
export * from './select';
export * from './execute';
export * from './run';
export * from './group';
