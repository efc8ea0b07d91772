import { type Db, schema } from '@payerguard/core';
import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Principal, Role } from '../types.js';
import { randomToken, sha256 } from './crypto.js';

export const SESSION_COOKIE = 'pg_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const TOKEN_PREFIX = 'pg_';

export async function createSession(
  db: Db,
  userId: string,
): Promise<{ sessionId: string; csrfToken: string; expiresAt: Date }> {
  const sessionId = randomToken(32);
  const csrfToken = randomToken(24);
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  // Expired sessions are swept here rather than by a timer: logins are rare enough to carry it.
  await db.delete(schema.sessions).where(lt(schema.sessions.expiresAt, new Date()));
  await db.insert(schema.sessions).values({ idHash: sha256(sessionId), userId, csrfToken, expiresAt });
  return { sessionId, csrfToken, expiresAt };
}

export async function deleteSession(db: Db, sessionHash: string): Promise<void> {
  await db.delete(schema.sessions).where(eq(schema.sessions.idHash, sessionHash));
}

const principalCols = {
  userId: schema.users.id,
  email: schema.users.email,
  role: schema.users.role,
  partnerId: schema.users.partnerId,
};

export async function principalFromSession(db: Db, sessionId: string): Promise<Principal | null> {
  const idHash = sha256(sessionId);
  const rows = await db
    .select({ ...principalCols, csrfToken: schema.sessions.csrfToken })
    .from(schema.sessions)
    .innerJoin(schema.users, eq(schema.users.id, schema.sessions.userId))
    .where(
      and(
        eq(schema.sessions.idHash, idHash),
        gt(schema.sessions.expiresAt, new Date()),
        eq(schema.users.disabled, false),
      ),
    )
    .limit(1);
  const r = rows[0];
  if (!r) return null;
  return { ...r, role: r.role as Role, via: 'session', sessionHash: idHash };
}

export async function principalFromToken(db: Db, token: string): Promise<Principal | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const tokenHash = sha256(token);
  const now = new Date();
  const rows = await db
    .select({ ...principalCols, tokenId: schema.apiTokens.id, expiresAt: schema.apiTokens.expiresAt })
    .from(schema.apiTokens)
    .innerJoin(schema.users, eq(schema.users.id, schema.apiTokens.userId))
    .where(
      and(
        eq(schema.apiTokens.tokenHash, tokenHash),
        isNull(schema.apiTokens.revokedAt),
        or(isNull(schema.apiTokens.expiresAt), gt(schema.apiTokens.expiresAt, now)),
        eq(schema.users.disabled, false),
      ),
    )
    .limit(1);
  const r = rows[0];
  if (!r) return null;
  await db.update(schema.apiTokens).set({ lastUsedAt: now }).where(eq(schema.apiTokens.id, r.tokenId));
  return {
    userId: r.userId,
    email: r.email,
    role: r.role as Role,
    partnerId: r.partnerId,
    via: 'token',
    tokenId: r.tokenId,
    tokenExpiresAt: r.expiresAt,
  };
}

/**
 * Revokes tokens and every token minted from them (a child never outlives its parent). `where` picks the roots:
 * one token id, or all of a user's tokens (password reset, disabled user).
 */
export async function revokeTokens(db: Db, roots: { tokenId: string } | { userId: string }): Promise<number> {
  const root = 'tokenId' in roots ? sql`id = ${roots.tokenId}` : sql`user_id = ${roots.userId}`;
  const r = await db.execute(sql`
    with recursive tree(id) as (
      select id from api_tokens where ${root}
      union
      select t.id from api_tokens t join tree on t.parent_token_id = tree.id
    )
    update api_tokens set revoked_at = now()
    where id in (select id from tree) and revoked_at is null
    returning id`);
  return (r as unknown as { rows?: unknown[] }).rows?.length ?? 0;
}
