export * from './message.js';
export * from './status.js';
export * from './failure.js';
export * from './account.js';
export * from './phone.js';
export * from './ids.js';
