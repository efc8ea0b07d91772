export * from './config.js';
export { type Database, type Db, openDatabase, schema } from './db/index.js';
export * from './evidence/types.js';
export * from './logger.js';
export * from './partners/registry-file.js';
export * from './settings.js';
