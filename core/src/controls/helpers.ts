import type { Call, PayerEvidence } from '../evidence/types.js';
import type { DistributorSettings } from '../settings.js';
import type { ControlResult } from './types.js';

/**
 * Shared verdict builders, so every control words "could not see" and "not collected" the same way and puts the
 * AWS API and error code where the UI and exports expect them.
 */

/** The unknown result for a Call that did not succeed (or was never made). */
export function unknownFor(call: Call<unknown> | undefined, what: string, api?: string): ControlResult {
  if (!call) {
    return {
      status: 'unknown',
      message: `Could not evaluate: ${what} was not collected.`,
      evidence: { reason: 'not collected', api: api ?? null },
    };
  }
  if (call.status === 'ok') throw new Error('unknownFor called with a successful call');
  return {
    status: 'unknown',
    message: `Could not evaluate: ${call.api} failed (${call.errorCode}) while reading ${what}.`,
    evidence: { api: call.api, callStatus: call.status, errorCode: call.errorCode, error: call.message },
  };
}

/** Lower-case domain of an email address, or '' when there is no "@". */
export function emailDomain(email: string | undefined | null): string {
  if (!email) return '';
  const at = email.lastIndexOf('@');
  return at < 0
    ? ''
    : email
        .slice(at + 1)
        .trim()
        .toLowerCase();
}

/**
 * Owning a domain means owning its subdomains, so "billing.distributor.example" counts for "distributor.example";
 * "distributor.example.evil" and "notdistributor.example" do not.
 */
export function isDistributorDomain(domain: string, settings: DistributorSettings): boolean {
  const d = domain.toLowerCase();
  if (!d) return false;
  return settings.domains.some((owned) => {
    const o = owned.toLowerCase().replace(/^@/, '');
    return d === o || d.endsWith(`.${o}`);
  });
}

export const rootArnFor = (accountId: string) => `arn:aws:iam::${accountId}:root`;

/** The credential report's row for the root user. */
export const ROOT_REPORT_USER = '<root_account>';

export function rootReportRow(rows: Record<string, string>[]): Record<string, string> | undefined {
  return rows.find((r) => r.user === ROOT_REPORT_USER);
}

export const isTrue = (v: string | undefined) => (v ?? '').toLowerCase() === 'true';

/** Organizations' answer for an account that belongs to no organization: an answer about the payer, not a denial. */
export const ORG_NOT_IN_USE = 'AWSOrganizationsNotInUseException';

/**
 * Where the payer stands in AWS Organizations, from DescribeOrganization alone (any account in an organization may call
 * it; ListAccounts and DescribeAccount only answer its management account or a delegated administrator).
 */
export type OrganizationStanding = 'management' | 'member' | 'standalone' | 'unknown';

export function organizationStanding(ev: PayerEvidence): OrganizationStanding {
  const org = ev.organizations?.organization;
  if (org?.status === 'ok') return org.data.masterAccountId === ev.payerAccountId ? 'management' : 'member';
  if (org && org.errorCode === ORG_NOT_IN_USE) return 'standalone';
  return 'unknown';
}

/** The payer's root email: the management email when the payer manages the org, else its ListAccounts entry. */
export function payerRootEmail(ev: PayerEvidence): { email?: string; source?: string } {
  const org = ev.organizations?.organization;
  if (org?.status === 'ok' && org.data.masterAccountId === ev.payerAccountId) {
    return { email: org.data.masterAccountEmail, source: 'organizations:DescribeOrganization.MasterAccountEmail' };
  }
  const accounts = ev.organizations?.accounts;
  if (accounts?.status === 'ok') {
    const me = accounts.data.find((a) => a.id === ev.payerAccountId);
    if (me) return { email: me.email, source: 'organizations:ListAccounts' };
  }
  return {};
}
