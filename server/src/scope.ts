import type { FastifyRequest } from 'fastify';
import { HttpError, notFound } from './errors.js';
import type { Principal } from './types.js';

const principalOf = (req: FastifyRequest): Principal => {
  if (!req.principal) throw new HttpError(401, 'log in first');
  return req.principal;
};

/**
 * The partner a request is confined to: a partner viewer's own partner, or null for staff (every partner).
 * A viewer without a partner is confined to a partner that cannot exist, so they see nothing.
 */
export function partnerScope(req: FastifyRequest): string | null {
  const p = principalOf(req);
  if (p.role !== 'partner_viewer') return null;
  return p.partnerId ?? '\u0000none';
}

/** Throws 404 (not 403: a viewer must not learn that another partner exists) when the partner is out of scope. */
export function assertPartnerVisible(req: FastifyRequest, partnerId: string): void {
  const scope = partnerScope(req);
  if (scope !== null && scope !== partnerId) throw notFound(`partner ${partnerId} not found`);
}

/** Spend and margin are the distributor's business only. */
export const canSeeSpend = (req: FastifyRequest) => principalOf(req).role !== 'partner_viewer';

export const actorOf = (req: FastifyRequest) => req.principal?.email ?? 'anonymous';

/** Rate-limit key for authenticated routes: one budget per user, whatever address or token they come from. */
export const byUser = (req: FastifyRequest) => (req.principal ? `user:${req.principal.userId}` : `ip:${req.ip}`);
