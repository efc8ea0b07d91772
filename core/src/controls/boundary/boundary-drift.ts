import { diffPolicies } from '../../policy/diff.js';
import { defaultVersionDocument } from '../../policy/effective.js';
import { referenceBoundary } from '../../policy/reference-boundary.js';
import { boundaryArnFor } from '../../settings.js';
import { unknownFor } from '../helpers.js';
import type { Control } from '../types.js';

export const boundaryDrift: Control = {
  id: 'BOUNDARY-DRIFT',
  title: 'The deployed boundary is the approved one',
  category: 'boundary',
  severity: 'high',
  rationale:
    'The boundary the distributor approved is the one it reasoned about. A boundary changed in the payer, even one that still looks strict, is no longer known to hold; a partner with rights to edit it may have widened it.',
  remediation:
    'Make the approved document the default version of the boundary policy again (`aws iam create-policy-version --set-as-default`), delete the versions that were not approved, and find out who changed it from CloudTrail (CreatePolicyVersion / SetDefaultPolicyVersion events).',
  references: [
    {
      title: 'Versioning IAM policies',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html',
    },
  ],
  evidence: ['iam.authorizationDetails'],
  evaluate(ev, { settings }) {
    const call = ev.iam?.authorizationDetails;
    if (call?.status !== 'ok') return [unknownFor(call, 'users, roles and policies')];
    const boundaryArn = boundaryArnFor(settings, ev.payerAccountId);
    const policies = Array.isArray(call.data.policies) ? call.data.policies : [];
    const policy = policies.find((p) => p.arn === boundaryArn);
    const approvedSource = settings.boundary.approvedDocument
      ? 'settings.boundary.approvedDocument'
      : 'reference boundary';
    const approved = settings.boundary.approvedDocument ?? referenceBoundary(settings, ev.payerAccountId);
    if (!policy)
      return [
        {
          status: 'fail',
          resource: boundaryArn,
          message: `The boundary policy ${boundaryArn} is not deployed in this payer.`,
          evidence: {
            boundaryArn,
            policiesSeen: policies.filter((p) => !p.arn.startsWith('arn:aws:iam::aws:')).map((p) => p.arn),
          },
        },
      ];
    const deployed = defaultVersionDocument(policy);
    if (!deployed)
      return [
        {
          status: 'unknown',
          resource: boundaryArn,
          message: `The default version (${policy.defaultVersionId}) of ${boundaryArn} was not collected.`,
          evidence: {
            boundaryArn,
            defaultVersionId: policy.defaultVersionId,
            versions: (policy.versions ?? []).map((v) => v.versionId),
          },
        },
      ];
    const diff = diffPolicies(approved, deployed);
    const versions = (policy.versions ?? []).map((v) => ({
      versionId: v.versionId,
      isDefault: v.isDefaultVersion,
      createDate: v.createDate ?? null,
    }));
    if (diff.equal)
      return [
        {
          status: 'pass',
          resource: boundaryArn,
          message: `The default version ${policy.defaultVersionId} of the boundary equals the approved document (${approvedSource}).`,
          evidence: { boundaryArn, defaultVersionId: policy.defaultVersionId, approvedSource, versions },
        },
      ];
    const counts = ['removed', 'added', 'changed']
      .map((k) => [k, diff.changes.filter((c) => c.change === k).map((c) => c.statement)] as const)
      .filter(([, xs]) => xs.length);
    return [
      {
        status: 'fail',
        resource: boundaryArn,
        message: `The boundary in force (version ${policy.defaultVersionId}) differs from the approved document: ${counts.map(([k, xs]) => `${k} ${xs.join(', ')}`).join('; ')}.`,
        evidence: {
          boundaryArn,
          defaultVersionId: policy.defaultVersionId,
          approvedSource,
          diff: diff.text,
          changes: diff.changes,
          versions,
        },
      },
    ];
  },
};
