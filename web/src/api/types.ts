import type { components, paths } from './schema.gen.js';

/**
 * The API's shapes as the dashboard reads them: names for the types `npm run gen:api` generates from the server's
 * response schemas (server/src/schemas/). Nothing here is written by hand but the names; change a shape in the
 * server's schemas, regenerate, and the compiler shows every screen the change touches.
 */
type Schemas = components['schemas'];
/** The JSON body a route accepts. */
type RequestBody<P extends keyof paths, M extends 'post' | 'put' | 'patch'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type Role = Schemas['Role'];
export type Status = Schemas['FindingStatus'];
export type Severity = Schemas['Severity'];
export type Grade = Schemas['Grade'];
/** Every grade, best first, and every export format: generated from the server's schemas, never copied. */
export { exportFormatValues as EXPORT_FORMATS, gradeValues as GRADES } from './schema.gen.js';

export type User = Schemas['User'];
export type Me = Schemas['Me'];
export type LoginResponse = Schemas['LoginResponse'];
export type DemoLogins = Schemas['DemoLogins'];
export type DemoLogin = DemoLogins['logins'][number];
export type UserAccount = Schemas['UserAccount'];

export type OverviewPartner = Schemas['OverviewPartner'];
export type OverviewTotals = Schemas['OverviewTotals'];
export type TrendPoint = Schemas['TrendPoint'];
export type Overview = Schemas['Overview'];
export type MatrixControl = Schemas['MatrixControl'];
export type Matrix = Schemas['Matrix'];

export type ControlInfo = Schemas['Control'];
export type FindingRow = Schemas['FindingRow'];
export type FindingView = Schemas['FindingView'];
export type Suppression = Schemas['Suppression'];
export type Snapshot = Schemas['Snapshot'];
export type HistoryPoint = Schemas['HistoryPoint'];
export type MemberAccountView = Schemas['MemberAccount'];
export type PrincipalView = Schemas['Principal'];
/** One open route out of the permissions boundary, found by the policy analysis. */
export type EscalationPath = Schemas['EscalationPath'];
export type FindingChange = Schemas['FindingChange'];
export type SnapshotChanges = Schemas['SnapshotChanges'];
export type RootEventView = Schemas['RootEventView'];
export type PayerView = Schemas['PayerView'];
export type BoundaryCoverage = Schemas['BoundaryCoverage'];
export type PartnerDetail = Schemas['PartnerDetail'];

export type RunSummary = Schemas['Run'];
export type RunPayer = Schemas['RunPayer'];
export type RunDetail = Schemas['RunDetail'];

export type ExportScope = Schemas['ExportScope'];
export type DeliveryState = Schemas['DeliveryState'];
export type DeliveryTarget = DeliveryState['target'];
export type ExportView = Schemas['ExportRecord'];
export type ExportRequest = RequestBody<'/api/exports', 'post'>;
export type ScheduleDelivery = Schemas['ScheduleDelivery'];
export type ScheduleView = Schemas['Schedule'];
/** Body of POST /api/export-schedules and PUT /api/export-schedules/{id} (every field, as on create). */
export type ScheduleInput = RequestBody<'/api/export-schedules', 'post'>;
export type ScheduleDeliveryInput = NonNullable<ScheduleInput['delivery']>;
export type ExportFormat = Schemas['ExportFormat'];
/** A saved schedule; `webhookSecret` only when a webhook was just created or its secret rotated (shown once). */
export type ScheduleSaved = Schemas['ScheduleSaved'];

export type AuditEntry = Schemas['AuditEntry'];
export type TokenView = Schemas['Token'];
export type TokenCreated = Schemas['TokenCreated'];
export type AdminPartner = Schemas['PartnerSummary'];

/** One template of the deploy kit (deploy/), with its parameters filled in for one payer. */
export type DeployStep = Schemas['DeployStep'];
export type OnboardingInfo = Schemas['Onboarding'];
export type AccessCheckResult = Schemas['AccessCheck'];

export type RootAccessWindow = Schemas['RootAccessWindow'];
export type WindowState = RootAccessWindow['state'];
export type WindowSide = RootAccessWindow['requestedBySide'];
/** The drill-down's `rootAccess`: each window with the root events the last scoring placed in it, and the rest. */
export type RootAccessTrail = Schemas['RootAccessTrail'];
export type TrailEvent = Schemas['TrailEvent'];
export type WindowRequestInput = RequestBody<'/api/root-access-windows', 'post'>;

export type AlertChannel = Schemas['AlertChannel'];
export type AlertChannelCreated = Schemas['AlertChannelCreated'];
export type AlertDelivery = Schemas['AlertDelivery'];
export type AlertEvent = RequestBody<'/api/alert-channels', 'post'>['events'][number];

/** Lists may come bare or wrapped ({ items } / { <name> }); the hooks normalise to arrays. */
export type MaybeList<T> = T[] | { items?: T[]; [k: string]: unknown };
