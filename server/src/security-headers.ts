import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The security headers helmet decides for `options` (CSP, HSTS, frame and referrer policy ...), asked of helmet once.
 * With no directive that is a function of the request (none here), helmet's answer is the same for every request;
 * @fastify/helmet built helmet's middleware again for each one, a tenth of the API's CPU on a drill-down answered from
 * a stored body (profiled on 10,000 partners, 50 connections).
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let called = false;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    called = true;
  });
  // helmet's middlewares run synchronously; one that did not would leave some headers unset, so say so at start-up.
  if (!called) throw new Error('helmet did not finish synchronously: the security headers cannot be computed once');
  return headers;
}

/**
 * An onRequest hook: every answer (API, dashboard, docs, errors, 404s) carries the headers. Added before any other hook
 * can fail the request, a 401 carries them too. A route may still set its own (Swagger UI sets its own CSP).
 */
export function securityHeaders(options: HelmetOptions) {
  const headers = helmetHeaders(options);
  return (_req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    reply.headers(headers);
    done();
  };
}
