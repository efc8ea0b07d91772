import { randomUUID } from 'node:crypto';
import { type Db, schema } from '@payerguard/core';
import { hashPassword } from './auth/passwords.js';

export const DEMO_PASSWORD = 'demo';

/**
 * Demo logins: admin@demo.local, analyst@demo.local, and viewer+<partner id>@demo.local for every partner, all with
 * password "demo". Idempotent: existing users are left alone. One hash serves every row (thousands of partners).
 */
export async function seedDemoUsers(db: Db): Promise<{ created: number }> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const partners = await db.select({ id: schema.partners.id }).from(schema.partners);
  const rows: (typeof schema.users.$inferInsert)[] = [
    { id: randomUUID(), email: 'admin@demo.local', name: 'Demo admin', passwordHash, role: 'admin' },
    { id: randomUUID(), email: 'analyst@demo.local', name: 'Demo analyst', passwordHash, role: 'analyst' },
    ...partners.map((p) => ({
      id: randomUUID(),
      email: `viewer+${p.id}@demo.local`,
      name: `Viewer for ${p.id}`,
      passwordHash,
      role: 'partner_viewer',
      partnerId: p.id,
    })),
  ];
  let created = 0;
  // 5 columns a row keeps each chunk far below the 65,535 bind parameter cap.
  for (let i = 0; i < rows.length; i += 2000) {
    const r = await db
      .insert(schema.users)
      .values(rows.slice(i, i + 2000))
      .onConflictDoNothing({ target: schema.users.email })
      .returning({ id: schema.users.id });
    created += r.length;
  }
  return { created };
}
