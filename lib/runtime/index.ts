export * from './handler';
export * from './context';
export * from './triggers';
export * from './summary';
export * from './credentials';
export { createLogger, type Logger } from './logger';
