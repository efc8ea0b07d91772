import type { Db } from '@payerguard/core';
import { schema } from '@payerguard/core';

export interface AuditEntry {
  /** User email, "system", "schedule:<id>". */
  actor: string;
  /** login, login_failed, logout, settings.update, suppression.create, run.start, export.download, ... */
  action: string;
  target?: string | null;
  /** Never put secrets here: it is shown to admins as is. */
  detail?: Record<string, unknown> | null;
  ip?: string | null;
}

/** Appends one line to the audit log. */
export async function audit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(schema.auditLog).values({
    actor: entry.actor,
    action: entry.action,
    target: entry.target ?? null,
    detail: entry.detail ?? null,
    ip: entry.ip ?? null,
  });
}
