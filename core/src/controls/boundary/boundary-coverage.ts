import { analyzePayerCached } from '../../policy/analyze.js';
import { boundaryArnFor } from '../../settings.js';
import { unknownFor } from '../helpers.js';
import type { Control, ControlResult } from '../types.js';

export const boundaryCoverage: Control = {
  id: 'BOUNDARY-COVERAGE',
  title: "Every partner IAM administrator carries the distributor's permissions boundary",
  category: 'boundary',
  severity: 'critical',
  rationale:
    "A partner may administer its payer account, but only inside the distributor's permissions boundary. A partner user or role that can create principals or grant permissions and has no boundary (or another one) can undo every protection the distributor relies on.",
  remediation:
    'For each principal named, attach the distributor boundary: `aws iam put-user-permissions-boundary --user-name <name> --permissions-boundary <boundary ARN>` (or put-role-permissions-boundary). If the principal belongs to the distributor, move it under a distributor path or tag it as configured in settings.',
  references: [
    {
      title: 'Permissions boundaries for IAM entities',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html',
    },
    {
      title: 'When and where to use IAM permissions boundaries (AWS Security Blog)',
      url: 'https://aws.amazon.com/blogs/security/when-and-where-to-use-iam-permissions-boundaries/',
    },
  ],
  evidence: ['iam.authorizationDetails'],
  evaluate(ev, { settings }) {
    const call = ev.iam?.authorizationDetails;
    if (call?.status !== 'ok') return [unknownFor(call, 'users, roles and policies')];
    const boundaryArn = boundaryArnFor(settings, ev.payerAccountId);
    const analysis = analyzePayerCached(ev, settings);
    const inScope = analysis.principals.filter((p) => !p.isDistributorOwned && !p.isServiceLinked);
    const admins = inScope.filter((p) => p.canAdministerIam);
    const uncovered = admins.filter((p) => !p.hasDistributorBoundary);
    const results: ControlResult[] = uncovered.map((p) => ({
      status: 'fail',
      resource: p.arn,
      message: p.boundaryArn
        ? `${p.kind === 'user' ? 'User' : 'Role'} ${p.name} can administer IAM and is fenced by ${p.boundaryArn}, not by the distributor boundary ${boundaryArn}.`
        : `${p.kind === 'user' ? 'User' : 'Role'} ${p.name} can administer IAM and has no permissions boundary.`,
      evidence: {
        principal: p.arn,
        kind: p.kind,
        boundaryArn: p.boundaryArn ?? null,
        expectedBoundaryArn: boundaryArn,
        unresolvedPolicies: p.unresolvedPolicies,
      },
    }));
    // An unbounded principal whose policies we could not all read might be an administrator we cannot see.
    for (const p of inScope) {
      if (p.canAdministerIam || p.hasDistributorBoundary) continue;
      const unread = p.unresolvedPolicies.filter((a) => a !== p.boundaryArn);
      if (!unread.length) continue;
      results.push({
        status: 'warn',
        severity: 'medium',
        resource: p.arn,
        message: `${p.kind === 'user' ? 'User' : 'Role'} ${p.name} has no distributor boundary and holds ${unread.join(', ')}, whose document was not collected: cannot tell whether it administers IAM.`,
        evidence: { principal: p.arn, unresolvedPolicies: unread },
      });
    }
    // A tag is the weakest mark of ownership: whoever may tag principals can exempt an administrator with it.
    for (const p of analysis.principals) {
      if (p.distributorOwnedBy !== 'tag' || !p.canAdministerIam || p.hasDistributorBoundary) continue;
      results.push({
        status: 'warn',
        severity: 'medium',
        resource: p.arn,
        message: `${p.kind === 'user' ? 'User' : 'Role'} ${p.name} can administer IAM without the boundary and counts as the distributor's only by a tag; confirm it is the distributor's, or move it under a distributor path.`,
        evidence: { principal: p.arn, distributorTags: settings.distributorPrincipals.tags },
      });
    }
    if (!uncovered.length)
      results.unshift({
        status: 'pass',
        message: admins.length
          ? `All ${admins.length} partner principals that can administer IAM carry the distributor boundary.`
          : 'No partner user or role can administer IAM.',
        evidence: {
          boundaryArn,
          administrators: admins.map((p) => p.arn),
          distributorOwned: analysis.principals.filter((p) => p.isDistributorOwned).map((p) => p.arn),
        },
      });
    return results;
  },
};
