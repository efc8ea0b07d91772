import type { AuthorizationDetails, IamRole, IamUser, PayerEvidence, PolicyDocument } from '../evidence/types.js';
import { withEvidence } from './evidence.js';

/**
 * Small edits of fixture evidence (core/testing/evidence.ts) for the policy and boundary-control tests: add a user
 * or role, replace the boundary's default version.
 */
export const ADMIN_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

export function details(ev: PayerEvidence): AuthorizationDetails {
  const c = ev.iam?.authorizationDetails;
  if (c?.status !== 'ok') throw new Error('fixture: authorization details not ok');
  return c.data;
}

export const editDetails = (ev: PayerEvidence, change: (d: AuthorizationDetails, acct: string) => void) =>
  withEvidence(ev, (e) => change(details(e), e.payerAccountId));

export function user(acct: string, name: string, extra: Partial<IamUser> = {}): IamUser {
  return {
    arn: `arn:aws:iam::${acct}:user${extra.path ?? '/'}${name}`,
    name,
    userId: `AIDA${name
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .slice(0, 12)}`,
    path: '/',
    createDate: '2024-01-01T00:00:00Z',
    groups: [],
    inlinePolicies: [],
    attachedPolicies: [],
    tags: {},
    ...extra,
  };
}

export function role(acct: string, name: string, extra: Partial<IamRole> = {}): IamRole {
  return {
    arn: `arn:aws:iam::${acct}:role${extra.path ?? '/'}${name}`,
    name,
    roleId: `AROA${name
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .slice(0, 12)}`,
    path: '/',
    createDate: '2024-01-01T00:00:00Z',
    assumeRolePolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' }],
    },
    inlinePolicies: [],
    attachedPolicies: [],
    tags: {},
    ...extra,
  };
}

/** Makes `doc` the boundary's default version (the approved one stays as a non-default v1). */
export function deployBoundary(ev: PayerEvidence, doc: PolicyDocument, boundaryArn?: string): PayerEvidence {
  return editDetails(ev, (d) => {
    const p = boundaryArn ? d.policies.find((x) => x.arn === boundaryArn) : d.policies.find((x) => x.versions.length);
    if (!p) throw new Error('fixture: no boundary policy');
    for (const v of p.versions) v.isDefaultVersion = false;
    p.versions.push({
      versionId: `v${p.versions.length + 1}`,
      isDefaultVersion: true,
      createDate: '2026-11-01T00:00:00Z',
      document: doc,
    });
    p.defaultVersionId = `v${p.versions.length}`;
  });
}

export const withoutSids = (doc: PolicyDocument, ...sids: string[]): PolicyDocument => ({
  ...doc,
  Statement: (doc.Statement as { Sid?: string }[]).filter((s) => !s.Sid || !sids.includes(s.Sid)),
});
