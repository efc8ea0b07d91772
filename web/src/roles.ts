import type { Role, User } from './api/types.js';

export const isStaff = (u: User | undefined | null) => u?.role === 'admin' || u?.role === 'analyst';
export const isAdmin = (u: User | undefined | null) => u?.role === 'admin';

export const ROLE_LABEL: Record<Role, string> = {
  admin: 'Distributor admin',
  analyst: 'Analyst (read-only)',
  partner_viewer: 'Partner viewer',
};
