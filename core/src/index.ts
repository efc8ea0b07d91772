export * from './config.js';
export * from './evidence/types.js';
export * from './logger.js';
export * from './registry.js';
export * from './settings.js';
export { openDatabase, schema, type Database, type Db } from './db/index.js';
