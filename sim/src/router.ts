import { ApiError, type Protocol } from './protocols/errors.js';
import { JsonParams } from './protocols/json.js';
import { QueryParams, type XmlValue } from './protocols/query.js';
import * as account from './services/account.js';
import * as cloudtrail from './services/cloudtrail.js';
import type { CallContext, Caller, SimState } from './services/context.js';
import * as ce from './services/costexplorer.js';
import * as events from './services/eventbridge.js';
import * as iam from './services/iam.js';
import * as organizations from './services/organizations.js';
import { SQS_OPERATIONS } from './services/sqs.js';
import * as sts from './services/sts.js';

/** Signing names (the SERVICE in a SigV4 credential scope) and the protocol each speaks. */
export const SERVICE_PROTOCOLS: Record<string, Protocol> = {
  sts: 'query',
  iam: 'query',
  organizations: 'json',
  cloudtrail: 'json',
  ce: 'json',
  events: 'json',
  account: 'rest-json',
  sqs: 'json',
};

type QueryHandler = (ctx: CallContext, q: QueryParams) => XmlValue;
type JsonHandler = (ctx: CallContext, p: JsonParams) => unknown;

const QUERY: Record<string, Record<string, QueryHandler>> = {
  iam: {
    GetAccountSummary: iam.getAccountSummary,
    ListVirtualMFADevices: iam.listVirtualMFADevices,
    GenerateCredentialReport: iam.generateCredentialReport,
    GetCredentialReport: iam.getCredentialReport,
    ListOrganizationsFeatures: iam.listOrganizationsFeatures,
    GetAccountAuthorizationDetails: iam.getAccountAuthorizationDetails,
    GetRole: iam.getRole,
  },
};

const JSON_HANDLERS: Record<string, Record<string, JsonHandler>> = {
  organizations: {
    DescribeOrganization: organizations.describeOrganization,
    ListAccounts: organizations.listAccounts,
    DescribeAccount: organizations.describeAccount,
  },
  cloudtrail: {
    LookupEvents: cloudtrail.lookupEvents,
    DescribeTrails: cloudtrail.describeTrails,
    GetTrailStatus: cloudtrail.getTrailStatus,
  },
  ce: { GetCostAndUsage: ce.getCostAndUsage },
  events: {
    ListRules: events.listRules,
    DescribeRule: events.describeRule,
    ListTargetsByRule: events.listTargetsByRule,
  },
  account: {
    GetContactInformation: account.getContactInformation,
    GetAlternateContact: account.getAlternateContact,
    ListRegions: account.listRegions,
  },
};

/** restJson routes of the Account API. */
export const ACCOUNT_PATHS: Record<string, string> = {
  '/getContactInformation': 'GetContactInformation',
  '/getAlternateContact': 'GetAlternateContact',
  '/listRegions': 'ListRegions',
};

export function knownAction(service: string, action: string): boolean {
  if (service === 'sts') return action === 'AssumeRole' || action === 'GetCallerIdentity';
  if (service === 'sqs') return Object.hasOwn(SQS_OPERATIONS, action);
  return !!(QUERY[service]?.[action] ?? JSON_HANDLERS[service]?.[action]);
}

const notAuthorized = (caller: Caller, api: string, how: string) =>
  `User: ${caller.arn} is not authorized to perform: ${api} on resource: * ${how}`;

/**
 * Answers one API call for one caller. Throws ApiError for anything AWS would answer with an error. Returns the
 * result shape (XML value for query services, JSON value otherwise).
 */
export function dispatch(
  state: SimState,
  caller: Caller,
  service: string,
  action: string,
  input: URLSearchParams | Record<string, unknown>,
  requestId: string,
  now: Date,
  region = 'us-east-1',
): unknown {
  const protocol = SERVICE_PROTOCOLS[service];
  const api = `${service}:${action}`;
  if (service === 'sts') {
    const q = new QueryParams(input as URLSearchParams);
    if (action === 'AssumeRole') return sts.assumeRole(state, caller, q, now);
    if (action === 'GetCallerIdentity') return sts.getCallerIdentity(caller);
  }
  const account = state.estate.account(caller.accountId);
  const deniedCode = protocol === 'query' ? 'AccessDenied' : 'AccessDeniedException';
  const deniedStatus = protocol === 'json' ? 400 : 403;
  // The hub principal may only assume roles; anything else it asks of these services is refused, as IAM would.
  if (!account)
    throw new ApiError(
      deniedCode,
      notAuthorized(caller, api, 'because no identity-based policy allows the action'),
      deniedStatus,
    );
  const session = caller.session;
  if (
    session &&
    session.roleName === state.estate.settings.collectorRoleName &&
    account.collectorDeniedApis.includes(api)
  )
    throw new ApiError(
      deniedCode,
      notAuthorized(caller, api, 'with an explicit deny in an identity-based policy'),
      deniedStatus,
    );
  const ctx: CallContext = { state, caller, account, requestId, now, region };
  if (protocol === 'query') {
    const h = QUERY[service]?.[action];
    if (h) return h(ctx, new QueryParams(input as URLSearchParams));
  } else {
    const h = JSON_HANDLERS[service]?.[action];
    if (h) return h(ctx, new JsonParams(input as Record<string, unknown>));
  }
  throw unknownOperation(protocol ?? 'json', action);
}

export function unknownOperation(protocol: Protocol, action: string): ApiError {
  return protocol === 'query'
    ? new ApiError('InvalidAction', `Could not find operation ${action} for version`, 400)
    : new ApiError('UnknownOperationException', `Unknown operation ${action}`, 400);
}
