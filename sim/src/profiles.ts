/**
 * The kinds of partner the estate generator produces. Each names one gap (or none), so a test or a demo can point
 * at a partner and know which control must fail for it.
 */
export const PROFILES = [
  'compliant',
  'foreign-root-email',
  'foreign-billing-contact',
  'root-no-mfa',
  'root-virtual-mfa',
  'root-access-key',
  'root-signing-cert',
  'root-signin-mfa',
  'root-signin-no-mfa',
  'root-api-non-root-task',
  'admin-no-boundary',
  'boundary-no-self-protection',
  'boundary-unbounded-create',
  'boundary-data-open',
  'boundary-billing-open',
  'boundary-governance-open',
  'boundary-drift',
  'monitor-rule-missing',
  'trail-stopped',
  'central-root-on',
  'central-root-off',
  'lockout',
  'lockout-external-id',
  'api-denied',
  'billing-role-missing',
  'large-payer',
  'standalone-payer',
  'member-payer',
  'central-root-untrusted',
  'sts-flaky',
  'root-activity-other-region',
  'monitor-rule-no-target',
] as const;

export type ProfileId = (typeof PROFILES)[number];

export const isProfileId = (s: string): s is ProfileId => (PROFILES as readonly string[]).includes(s);

/** Which reference-boundary statements (by Sid) each boundary-hole profile removes. */
export const BOUNDARY_HOLES: Partial<Record<ProfileId, readonly string[]>> = {
  'boundary-no-self-protection': ['DenyBoundaryTampering'],
  'boundary-unbounded-create': ['DenyUnboundedPrincipals', 'DenyPassUnboundedRole'],
  'boundary-data-open': ['DenyDistributorData'],
  'boundary-billing-open': ['DenyBillingViews'],
  'boundary-governance-open': ['DenyGovernanceTampering'],
};

/**
 * Weights for partners after the first PROFILES.length (which cover every profile once). Real estates are mostly
 * in order, so "compliant" dominates; the large payer is rare because it is expensive to collect.
 */
export const PROFILE_WEIGHTS: Record<ProfileId, number> = {
  compliant: 55,
  'foreign-root-email': 3,
  'foreign-billing-contact': 3,
  'root-no-mfa': 2,
  'root-virtual-mfa': 3,
  'root-access-key': 2,
  'root-signing-cert': 1,
  'root-signin-mfa': 3,
  'root-signin-no-mfa': 2,
  'root-api-non-root-task': 2,
  'admin-no-boundary': 3,
  'boundary-no-self-protection': 1,
  'boundary-unbounded-create': 1,
  'boundary-data-open': 1,
  'boundary-billing-open': 1,
  'boundary-governance-open': 1,
  'boundary-drift': 2,
  'monitor-rule-missing': 2,
  'trail-stopped': 2,
  'central-root-on': 3,
  'central-root-off': 3,
  lockout: 1,
  'lockout-external-id': 1,
  'api-denied': 1,
  'billing-role-missing': 1,
  'large-payer': 0.3,
  'standalone-payer': 1,
  'member-payer': 1,
  'central-root-untrusted': 1,
  'sts-flaky': 1,
  'root-activity-other-region': 2,
  'monitor-rule-no-target': 1,
};
