import type { DistributorSettings } from '@payerguard/core';

/**
 * The deploy kit's commands for one payer, with every parameter filled in: what the onboarding screen hands to the
 * partner (one stack in its payer) or runs from the hub account (a stack instance of the StackSet). The templates
 * themselves live in deploy/ (deploy/README.md); the parameter names here are theirs.
 */

export interface DeployStep {
  /** deploy/<file>: the template to pass as --template-body file://deploy/<file>. */
  template: string;
  /** What the step creates, in a sentence. */
  purpose: string;
  /** CloudFormation parameters, exactly as the template declares them. */
  parameters: Record<string, string>;
  /** `aws cloudformation create-stack ...`, run in the payer account. */
  createStack: string;
  /** `aws cloudformation create-stack-instances ...`, run in the hub account when the StackSet exists. */
  stackSetInstance?: string;
  /** Settings the template cannot express (the onboarding screen shows them). */
  warnings: string[];
}

export interface DeployCommands {
  collectorRole: DeployStep;
  permissionsBoundary: DeployStep;
}

export const COLLECTOR_STACK_SET = 'payerguard-collector-role';

// AWS CLI shorthand splits on commas; a value keeps its commas escaped. Single quotes keep the shell out of it.
const shorthandValue = (v: string) => v.replaceAll('\\', '\\\\').replaceAll(',', '\\,');
const shellQuote = (s: string) => `'${s.replaceAll("'", `'"'"'`)}'`;
const parameterArgs = (params: Record<string, string>) =>
  Object.entries(params).map(([k, v]) => shellQuote(`ParameterKey=${k},ParameterValue=${shorthandValue(v)}`));

function createStack(stackName: string, template: string, capabilities: string, params: Record<string, string>) {
  return [
    'aws cloudformation create-stack',
    `--stack-name ${shellQuote(stackName)}`,
    `--template-body file://deploy/${template}`,
    `--capabilities ${capabilities}`,
    // One parameter a line: the ExternalId and the boundary's names are what a reviewer checks.
    `--parameters ${parameterArgs(params).join(' \\\n    ')}`,
  ].join(' \\\n  ');
}

/** The boundary template's parameters for these settings; it renders to referenceBoundary(settings) with them. */
export function boundaryParameters(s: DistributorSettings): { parameters: Record<string, string>; warnings: string[] } {
  const p = s.protectedResources;
  const warnings: string[] = [];
  const others = s.distributorPrincipals.names.filter((n) => n !== s.collectorRoleName && n !== s.billingRoleName);
  if (others.length > 1)
    warnings.push(
      `The template protects one more distributor principal by name (${others[0]}); ${others.slice(1).join(', ')} ` +
        'would need their own statement or the distributor path.',
    );
  if (s.distributorPrincipals.paths.length > 1)
    warnings.push(`The template protects one distributor path (${s.distributorPrincipals.paths[0]}).`);
  return {
    parameters: {
      BoundaryPolicyName: s.boundary.policyName,
      BoundaryPath: s.boundary.policyPath,
      DistributorPath: s.distributorPrincipals.paths[0] ?? '/distributor/',
      // The reference boundary names this placeholder when no bucket is configured; the template needs one value.
      DistributorBuckets: (p.s3Buckets.length ? p.s3Buckets : ['distributor-private-data-unset']).join(','),
      CollectorRoleName: s.collectorRoleName,
      BillingRoleName: s.billingRoleName,
      OrganizationAccessRoleName: others[0] ?? 'OrganizationAccountAccessRole',
      MonitorRuleName: p.monitorRuleName,
      TrailName: p.trailName,
      GovernanceStackName: p.governanceStackName,
    },
    warnings,
  };
}

/**
 * @param hubPrincipalArn the principal the collector role's trust policy names (collectorTrustPolicy owns it).
 * @param region where the stack instance goes (IAM is global: one region per payer is enough).
 */
export function deployCommands(
  s: DistributorSettings,
  payer: { accountId: string; externalId: string },
  hubPrincipalArn: string,
  region: string,
): DeployCommands {
  const collector = { HubPrincipalArn: hubPrincipalArn, ExternalId: payer.externalId, RoleName: s.collectorRoleName };
  const boundary = boundaryParameters(s);
  return {
    collectorRole: {
      template: 'collector-role.yaml',
      purpose: "The read-only collector role, trusted by the distributor's hub principal with this payer's ExternalId.",
      parameters: collector,
      createStack: createStack('payerguard-collector-role', 'collector-role.yaml', 'CAPABILITY_NAMED_IAM', collector),
      stackSetInstance: [
        'aws cloudformation create-stack-instances',
        `--stack-set-name ${COLLECTOR_STACK_SET}`,
        `--accounts ${payer.accountId}`,
        `--regions ${region}`,
        `--parameter-overrides ${parameterArgs({ ExternalId: payer.externalId }).join(' ')}`,
      ].join(' \\\n  '),
      warnings: [],
    },
    permissionsBoundary: {
      template: 'permissions-boundary.yaml',
      purpose: 'The permissions boundary every partner administrator in the payer must carry.',
      parameters: boundary.parameters,
      // Named after the governance stack: the boundary itself denies changing a stack of that name.
      createStack: createStack(
        s.protectedResources.governanceStackName,
        'permissions-boundary.yaml',
        'CAPABILITY_NAMED_IAM',
        boundary.parameters,
      ),
      warnings: boundary.warnings,
    },
  };
}
