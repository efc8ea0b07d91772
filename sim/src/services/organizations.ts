import type { SimAccount, SimMemberAccount } from '../estate/types.js';
import { ApiError } from '../protocols/errors.js';
import { decodeToken, encodeToken, type JsonParams } from '../protocols/json.js';
import type { CallContext } from './context.js';

const accountArn = (a: SimAccount, m: SimMemberAccount) =>
  `arn:aws:organizations::${a.accountId}:account/${a.organization.id}/${m.id}`;

function accountShape(a: SimAccount, m: SimMemberAccount) {
  return {
    Id: m.id,
    Arn: accountArn(a, m),
    Email: m.email,
    Name: m.name,
    Status: m.status,
    State: m.status,
    JoinedMethod: m.joinedMethod,
    JoinedTimestamp: m.joinedTimestamp,
  };
}

/** What Organizations answers an account in no organization, for every operation (botocore organizations model). */
const notInUse = () =>
  new ApiError(
    'AWSOrganizationsNotInUseException',
    'Your account is not a member of an organization. To make this request, you must use the credentials of an account that belongs to an organization.',
  );

/**
 * ListAccounts and DescribeAccount answer only the management account (or a delegated administrator): a member
 * account is refused, however broad its own IAM policy.
 */
function requireManagement(ctx: CallContext): void {
  if (ctx.account.organizationStanding === 'standalone') throw notInUse();
  if (ctx.account.organizationStanding === 'member')
    throw new ApiError('AccessDeniedException', "You don't have permissions to access this resource.");
}

export function describeOrganization(ctx: CallContext) {
  const a = ctx.account;
  if (a.organizationStanding === 'standalone') throw notInUse();
  const mgmt = a.organization.managementAccountId;
  return {
    Organization: {
      Id: a.organization.id,
      Arn: a.organization.arn,
      FeatureSet: 'ALL',
      MasterAccountArn: `arn:aws:organizations::${mgmt}:account/${a.organization.id}/${mgmt}`,
      MasterAccountId: mgmt,
      MasterAccountEmail: a.organization.masterEmail,
      AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
    },
  };
}

export function listAccounts(ctx: CallContext, p: JsonParams) {
  requireManagement(ctx);
  const max = p.int('MaxResults', 20, 1, 20, 'InvalidInputException');
  const start = decodeToken(p.str('NextToken'), 'accounts', 'InvalidInputException');
  const all = ctx.account.members;
  const more = start + max < all.length;
  return {
    Accounts: all.slice(start, start + max).map((m) => accountShape(ctx.account, m)),
    ...(more ? { NextToken: encodeToken(start + max, 'accounts') } : {}),
  };
}

export function describeAccount(ctx: CallContext, p: JsonParams) {
  requireManagement(ctx);
  const id = p.required('AccountId');
  const m = ctx.account.members.find((x) => x.id === id);
  if (!m) throw new ApiError('AccountNotFoundException', "You specified an account that doesn't exist.");
  return { Account: accountShape(ctx.account, m) };
}
