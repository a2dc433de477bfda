export * from './notice';
export * from './route';
export * from './render';
export * from './limiter';
export * from './ledger';
export * from './secrets';
export * from './deliver';
export * from './channels';
