import type { SSERouteOptions } from '@fastify/sse';

export const ROLES = ['admin', 'analyst', 'partner_viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: resolved once per request by the auth guard. */
export interface Principal {
  userId: string;
  email: string;
  role: Role;
  /** Set for partner viewers: the only partner they may see. */
  partnerId: string | null;
  via: 'session' | 'token';
  /** Only for cookie sessions: the value unsafe methods must echo in `x-csrf-token`. */
  csrfToken?: string;
  sessionHash?: string;
  /** Only for API tokens: which token, and when it dies (a token may only mint tokens that die no later). */
  tokenId?: string;
  tokenExpiresAt?: Date | null;
}

/** Every /api route declares who may call it; the guard enforces it (see auth/guard.ts). */
export type Access = 'public' | readonly Role[];

export const ALL_ROLES: readonly Role[] = ROLES;
export const STAFF: readonly Role[] = ['admin', 'analyst'];
export const ADMIN: readonly Role[] = ['admin'];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export type { SSERouteOptions };
