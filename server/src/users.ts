import { randomUUID } from 'node:crypto';
import { type Db, schema } from '@payerguard/core';
import { eq } from 'drizzle-orm';
import { hashPassword, MIN_PASSWORD_LENGTH } from './auth/passwords.js';
import { badRequest, conflict, notFound } from './errors.js';
import { ROLES, type Role } from './types.js';

export interface NewUser {
  email: string;
  password: string;
  role: string;
  partnerId?: string | null;
  name?: string | null;
}

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: string;
  partnerId: string | null;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
  lockedUntil: string | null;
}

export const userView = (u: typeof schema.users.$inferSelect): UserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  partnerId: u.partnerId,
  disabled: u.disabled,
  createdAt: u.createdAt.toISOString(),
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  lockedUntil: u.lockedUntil && u.lockedUntil > new Date() ? u.lockedUntil.toISOString() : null,
});

const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

/** Checks role and partner together: a partner viewer needs an existing partner, staff must not have one. */
export async function checkRolePartner(db: Db, role: string, partnerId: string | null | undefined): Promise<void> {
  if (!(ROLES as readonly string[]).includes(role)) throw badRequest(`role must be one of ${ROLES.join(', ')}`);
  if (role === 'partner_viewer') {
    if (!partnerId) throw badRequest('a partner_viewer needs a partner (partnerId)');
    const [p] = await db
      .select({ id: schema.partners.id })
      .from(schema.partners)
      .where(eq(schema.partners.id, partnerId));
    if (!p) throw badRequest(`partner ${partnerId} does not exist`);
  } else if (partnerId) throw badRequest(`only partner_viewer users belong to a partner, not ${role}`);
}

/** Creates a local user (API and `payerguard users add` share it). */
export async function createUser(db: Db, input: NewUser): Promise<UserView> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL_RE.test(email)) throw badRequest('email: not an email address');
  if (input.password.length < MIN_PASSWORD_LENGTH)
    throw badRequest(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
  await checkRolePartner(db, input.role, input.partnerId);
  const rows = await db
    .insert(schema.users)
    .values({
      id: randomUUID(),
      email,
      name: input.name ?? null,
      passwordHash: await hashPassword(input.password),
      role: input.role as Role,
      partnerId: input.role === 'partner_viewer' ? input.partnerId! : null,
    })
    .onConflictDoNothing({ target: schema.users.email })
    .returning();
  if (!rows[0]) throw conflict(`a user ${email} already exists`);
  return userView(rows[0]);
}

export async function listUsers(db: Db): Promise<UserView[]> {
  return (await db.select().from(schema.users).orderBy(schema.users.email)).map(userView);
}

export async function getUser(db: Db, id: string) {
  const [u] = await db.select().from(schema.users).where(eq(schema.users.id, id));
  if (!u) throw notFound(`user ${id} not found`);
  return u;
}
