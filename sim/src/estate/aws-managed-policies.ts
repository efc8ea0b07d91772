import type { SimManagedPolicy } from './types.js';

/**
 * The AWS managed policies the estate attaches, with the documents, ids and versions AWS publishes for them.
 * GetAccountAuthorizationDetails lists an AWS managed policy only while something in the account uses it.
 */
const AWS_CREATED = new Date('2015-02-06T18:39:46Z');

export const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';
export const POWER_USER_ACCESS = 'arn:aws:iam::aws:policy/PowerUserAccess';
export const IAM_USER_CHANGE_PASSWORD = 'arn:aws:iam::aws:policy/IAMUserChangePassword';

export const AWS_MANAGED_POLICIES: ReadonlyMap<string, SimManagedPolicy> = new Map(
  [
    {
      arn: ADMINISTRATOR_ACCESS,
      name: 'AdministratorAccess',
      path: '/',
      policyId: 'ANPAIWMBCKSKIEE64ZLYK',
      createDate: AWS_CREATED,
      updateDate: AWS_CREATED,
      awsManaged: true,
      versions: [
        {
          versionId: 'v1',
          isDefault: true,
          createDate: AWS_CREATED,
          document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        },
      ],
    },
    {
      arn: POWER_USER_ACCESS,
      name: 'PowerUserAccess',
      path: '/',
      policyId: 'ANPAJYRXTHIB4FOVS3ZXS',
      createDate: AWS_CREATED,
      updateDate: new Date('2023-07-06T22:04:19Z'),
      awsManaged: true,
      versions: [
        {
          versionId: 'v5',
          isDefault: true,
          createDate: new Date('2023-07-06T22:04:19Z'),
          document: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
              {
                Effect: 'Allow',
                Action: [
                  'account:GetAccountInformation',
                  'account:GetPrimaryEmail',
                  'account:ListRegions',
                  'iam:CreateServiceLinkedRole',
                  'iam:DeleteServiceLinkedRole',
                  'iam:ListRoles',
                  'organizations:DescribeOrganization',
                ],
                Resource: '*',
              },
            ],
          },
        },
      ],
    },
    {
      arn: IAM_USER_CHANGE_PASSWORD,
      name: 'IAMUserChangePassword',
      path: '/',
      policyId: 'ANPAJ4L4MM2A7QIEB56MS',
      createDate: new Date('2016-11-15T00:25:16Z'),
      updateDate: new Date('2016-11-15T23:18:55Z'),
      awsManaged: true,
      versions: [
        {
          versionId: 'v2',
          isDefault: true,
          createDate: new Date('2016-11-15T23:18:55Z'),
          document: {
            Version: '2012-10-17',
            Statement: [
              // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
              { Effect: 'Allow', Action: ['iam:ChangePassword'], Resource: ['arn:aws:iam::*:user/${aws:username}'] },
              { Effect: 'Allow', Action: ['iam:GetAccountPasswordPolicy'], Resource: '*' },
            ],
          },
        },
      ],
    },
  ].map((p) => [p.arn, p as SimManagedPolicy]),
);
