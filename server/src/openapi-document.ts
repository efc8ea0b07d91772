import { type Database, loadConfig } from '@payerguard/core';
import { pino } from 'pino';
import { buildServer } from './app.js';

/**
 * The API's OpenAPI document, built from the routes themselves without a database, Redis or a listening port (the
 * routes only touch those when called). `npm run gen:api` writes it and the web client's types from it.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const app = await buildServer({
    // Never queried: building the app only registers routes; a call would fail loudly on this stub.
    db: {} as Database['db'],
    config: loadConfig({}),
    logger: pino({ level: 'silent' }),
  });
  try {
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
