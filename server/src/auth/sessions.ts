import { type Db, schema } from '@payerguard/core';
import { queryPrepared } from '@payerguard/core/db/prepared';
import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Principal, Role } from '../types.js';
import { randomToken, sha256 } from './crypto.js';
import type { HeldSessions } from './held-sessions.js';

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

// Every request of a signed-in user runs this (unless the process holds the answer: held-sessions.ts): a prepared
// statement, planned once per connection.
const SESSION_PRINCIPAL_SQL = `
  select u.id as "userId", u.email, u.role, u.partner_id as "partnerId", s.csrf_token as "csrfToken",
    extract(epoch from s.expires_at) * 1000 as "expiresAt"
  from sessions s join users u on u.id = s.user_id
  where s.id_hash = $1 and s.expires_at > $2 and u.disabled = false
  limit 1`;

export async function principalFromSession(db: Db, sessionId: string, held?: HeldSessions): Promise<Principal | null> {
  const idHash = sha256(sessionId);
  const now = new Date();
  const kept = held?.get(idHash, now.getTime());
  if (kept) return kept;
  const stamp = held?.stamp() ?? null;
  const [r] = await queryPrepared<{
    userId: string;
    email: string;
    role: string;
    partnerId: string | null;
    csrfToken: string;
    expiresAt: string | number;
  }>(db, 'session_principal_v2', SESSION_PRINCIPAL_SQL, [idHash, now.toISOString()]);
  if (!r) return null;
  const { expiresAt, ...rest } = r;
  const principal: Principal = { ...rest, role: r.role as Role, via: 'session', sessionHash: idHash };
  held?.set(idHash, principal, Number(expiresAt), stamp);
  return principal;
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
