export { buildApp } from './app.js';
export { startBundles, type Bundles } from './start.js';
export { configFromEnv, type Config } from './config.js';
export { connectDatabase, migrateDatabase } from './db/index.js';
export { sharedBuffersMb, startEmbeddedPostgres } from './db/embedded.js';
export { createLogger } from './logger.js';
