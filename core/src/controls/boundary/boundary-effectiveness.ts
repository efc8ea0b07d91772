import { analyzePayerCached, type OpenPath } from '../../policy/analyze.js';
import { boundaryArnFor } from '../../settings.js';
import { unknownFor } from '../helpers.js';
import type { Control, ControlResult } from '../types.js';

const MAX_PATHS_IN_EVIDENCE = 25;

const pathLine = (o: OpenPath) => `${o.action} on ${o.resource} (${o.methodId})`;

const pathEvidence = (paths: OpenPath[]) =>
  paths.slice(0, MAX_PATHS_IN_EVIDENCE).map((o) => ({
    methodId: o.methodId,
    title: o.title,
    action: o.action,
    resource: o.resource,
    ...(o.context ? { context: o.context } : {}),
    decidingStatements: o.decidingStatements,
    explanation: o.explanation,
  }));

export const boundaryEffectiveness: Control = {
  id: 'BOUNDARY-EFFECTIVENESS',
  title: 'The permissions boundary stops escalation and keeps the distributor data out of reach',
  category: 'boundary',
  severity: 'critical',
  rationale:
    "A boundary is only worth something if a fenced administrator cannot change or remove it, create or use principals without it, read the distributor's private data and margin, or blind the distributor's governance tooling. Each fenced principal is simulated against a catalogue of known IAM privilege-escalation methods with its real policies.",
  remediation:
    "Deploy the distributor's reference boundary (docs/boundary.md, `payerguard boundary check` to test a candidate) as the default version of the boundary policy, or add Deny statements covering the action and resource named in each finding. Re-run the collection to confirm.",
  references: [
    {
      title: 'Permissions boundaries for IAM entities',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html',
    },
    {
      title: 'IAM: Delegate permission management using a boundary (example policy)',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_boundary.html',
    },
    {
      title: 'AWS IAM privilege escalation methods (Rhino Security Labs)',
      url: 'https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/',
    },
  ],
  evidence: ['iam.authorizationDetails'],
  evaluate(ev, { settings }) {
    const call = ev.iam?.authorizationDetails;
    if (call?.status !== 'ok') return [unknownFor(call, 'users, roles and policies')];
    const boundaryArn = boundaryArnFor(settings, ev.payerAccountId);
    const analysis = analyzePayerCached(ev, settings);
    const fenced = analysis.principals.filter(
      (p) => p.hasDistributorBoundary && !p.isDistributorOwned && !p.isServiceLinked,
    );
    if (!analysis.boundaryPresent) {
      return [
        {
          status: fenced.length ? 'unknown' : 'fail',
          message: fenced.length
            ? `Principals name the boundary ${boundaryArn}, but its document was not collected: cannot simulate it.`
            : `The distributor boundary ${boundaryArn} is not deployed in this payer.`,
          evidence: { boundaryArn, fencedPrincipals: fenced.map((p) => p.arn) },
        },
      ];
    }
    const results: ControlResult[] = [];
    const unread = fenced.filter((p) => !p.analyzed);
    if (unread.length)
      results.push({
        status: 'unknown',
        message: `The document of the boundary ${boundaryArn} in force was not collected: cannot simulate it for ${unread.length} fenced principal(s).`,
        evidence: {
          boundaryArn,
          principals: unread.map((p) => p.arn),
          unresolved: [...new Set(unread.flatMap((p) => p.unresolvedPolicies))],
          invalid: unread.flatMap((p) => p.invalidPolicies),
        },
      });
    for (const p of fenced) {
      if (!p.analyzed || !p.openPaths.length) continue;
      const first = p.openPaths[0] as OpenPath;
      const methods = [...new Set(p.openPaths.map((o) => o.methodId))];
      results.push({
        status: 'fail',
        resource: p.arn,
        message: `${p.kind === 'user' ? 'User' : 'Role'} ${p.name} can get past the boundary: ${first.title.toLowerCase()} (${pathLine(first)})${methods.length > 1 ? ` and ${methods.length - 1} more method(s)` : ''}${p.assumedWorstCase ? ', assuming its unreadable policies allow everything' : ''}.`,
        evidence: {
          principal: p.arn,
          boundaryArn,
          methods,
          openPaths: pathEvidence(p.openPaths),
          openPathCount: p.openPaths.length,
          ...(p.assumedWorstCase ? { assumedWorstCaseFor: p.unresolvedPolicies } : {}),
        },
      });
    }
    if (!fenced.length && analysis.adminOpenPaths === null) {
      results.push({
        status: 'unknown',
        resource: boundaryArn,
        message: `No partner principal carries the boundary, and the document of its default version was not collected (or is not a valid policy).`,
        evidence: { boundaryArn },
      });
    } else if (!fenced.length) {
      // Nobody carries the boundary yet: judge the deployed document for a fenced administrator of this payer.
      const paths = analysis.adminOpenPaths ?? [];
      results.push(
        paths.length
          ? {
              status: 'fail',
              resource: boundaryArn,
              message: `No partner principal carries the boundary yet, and it would not hold: an administrator fenced by it could ${(paths[0] as OpenPath).title.toLowerCase()} (${pathLine(paths[0] as OpenPath)}).`,
              evidence: {
                boundaryArn,
                methods: [...new Set(paths.map((o) => o.methodId))],
                openPaths: pathEvidence(paths),
              },
            }
          : {
              status: 'pass',
              resource: boundaryArn,
              message:
                'No partner principal carries the boundary yet; the deployed boundary would stop every escalation method simulated.',
              evidence: { boundaryArn, fencedPrincipals: [] },
            },
      );
    } else if (!results.some((r) => r.status === 'fail') && unread.length < fenced.length) {
      // Not the number of simulations this run made: the process's simulation cache decides that, not the payer.
      results.push({
        status: 'pass',
        message: `No escalation path or protected resource is open to the ${fenced.length - unread.length} principals fenced by the boundary.`,
        evidence: {
          boundaryArn,
          fencedPrincipals: fenced.map((p) => p.arn),
          distinctPolicySets: analysis.stats.distinctPolicySets,
        },
      });
    }
    return results;
  },
};
