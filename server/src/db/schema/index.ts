export * from './workspaces.js';
export * from './auth.js';
export * from './connections.js';
export * from './flows.js';
export * from './runs.js';
export * from './messages.js';
export * from './runtime.js';
export * from './instance.js';
