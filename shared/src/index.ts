export * from './graph.js';
export * from './manifest.js';
export * from './errors.js';
export * from './templates.js';
export * from './api.js';
export * from './settings.js';
export * from './gallery.js';
