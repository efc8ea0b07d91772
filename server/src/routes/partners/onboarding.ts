import { API, collectorRoleArnFor, type DistributorSettings } from '@payerguard/core';
import { deployCommands } from './deploy-commands.js';

/**
 * Every read-only AWS API the collectors call, straight from the evidence contract (so the role never lacks one).
 * Evidence the product reads from its own database (named `payerguard:...`) needs no AWS permission.
 */
export const collectorActions = () =>
  [...new Set(Object.values(API))].filter((a) => !a.startsWith('payerguard:')).sort();

export function collectorTrustPolicy(s: DistributorSettings, externalId: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DistributorHubAssumesCollector',
        Effect: 'Allow',
        // The one hub role that collects, not the whole hub account: no other identity there can get in.
        Principal: { AWS: s.hubPrincipalArn },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  };
}

/** A CloudFormation template the partner (or the distributor) deploys in the payer account. */
export function collectorRoleTemplate(s: DistributorSettings, externalId: string) {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `payerguard read-only collector role for ${s.distributorName}`,
    Resources: {
      CollectorRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: s.collectorRoleName,
          Path: '/',
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: collectorTrustPolicy(s, externalId),
          Policies: [
            {
              PolicyName: 'PayerGuardReadOnly',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: collectorActions().filter((a) => a !== 'sts:AssumeRole'), Resource: '*' },
                ],
              },
            },
          ],
          Tags: [{ Key: 'managed-by', Value: 'distributor' }],
        },
      },
    },
    Outputs: { CollectorRoleArn: { Value: { 'Fn::GetAtt': ['CollectorRole', 'Arn'] } } },
  };
}

export function onboardingFor(
  s: DistributorSettings,
  payer: { accountId: string; roleArn: string; externalId: string },
  where: { region: string; simulatorUrl?: string } = { region: 'us-east-1' },
) {
  const trustPolicy = collectorTrustPolicy(s, payer.externalId);
  // The deploy kit's HubPrincipalArn is whoever the trust policy names: one owner for "who may assume the role".
  const hubPrincipalArn = String(trustPolicy.Statement[0]?.Principal.AWS);
  return {
    payerAccountId: payer.accountId,
    roleArn: payer.roleArn,
    expectedRoleArn: collectorRoleArnFor(s, payer.accountId),
    externalId: payer.externalId,
    trustPolicy,
    cloudFormationTemplate: collectorRoleTemplate(s, payer.externalId),
    deploy: deployCommands(s, payer, hubPrincipalArn, where.region),
    // Against the simulator there is no CloudFormation: this admin call does what the collector stack would.
    ...(where.simulatorUrl
      ? {
          simulatorDeploy: {
            url: `${where.simulatorUrl.replace(/\/$/, '')}/_sim/deploy/collector-role`,
            body: { accountId: payer.accountId, externalId: payer.externalId },
          },
        }
      : {}),
  };
}
