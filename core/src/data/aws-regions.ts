/**
 * AWS commercial regions, as Account `ListRegions` names them. Root events and the root-activity monitor are
 * regional, so the collector reads every region a payer has enabled; these lists are what it falls back on when
 * ListRegions cannot be read, and what the simulator answers with.
 */

/** Where CloudTrail records console sign-ins and global services (IAM, Organizations, STS global endpoint). */
export const GLOBAL_EVENTS_REGION = 'us-east-1';

/** Regions enabled in every account (launched before March 2019): they cannot be disabled. */
export const DEFAULT_ENABLED_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'sa-east-1',
] as const;

/** Opt-in regions: disabled until an account enables them; if ListRegions is unreadable, they are not seen. */
export const OPT_IN_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
] as const;

/** ListRegions statuses in which a region accepts API calls (and so root API calls can land there). */
export const ENABLED_REGION_STATUSES = ['ENABLED', 'ENABLED_BY_DEFAULT'] as const;

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
export const isRegionName = (s: string) => REGION_RE.test(s);

/** The regions to read, us-east-1 first (sign-ins and global services), each once. */
export function regionsToRead(enabled: readonly string[]): string[] {
  return [...new Set([GLOBAL_EVENTS_REGION, ...enabled.filter(isRegionName)])];
}
