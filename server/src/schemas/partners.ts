import { Type } from 'typebox';
import { DateTime, FindingStatus, Grade, Nullable, Open, ref, Severity } from './common.js';
import { Reference } from './controls.js';
import { Tags } from './overview.js';
import { RootAccessWindow } from './root-access-windows.js';
import { Suppression } from './suppressions.js';

export const PartnerSummary = Type.Object(
  { id: Type.String(), name: Type.String(), tags: ref(Tags), payers: Type.Integer({ description: 'payer accounts' }) },
  { $id: 'PartnerSummary' },
);
export const PartnerList = Type.Object({ partners: Type.Array(ref(PartnerSummary)) }, { $id: 'PartnerList' });

// ---------------------------------------------------------------- drill-down (GET /api/partners/:id)

const CallStatus = Type.Object({
  status: Type.String({ description: 'ok, an error status, or "not collected"' }),
  api: Type.Optional(Type.String()),
  errorCode: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

/** One route out of the permissions boundary that the policy analysis found open (core/src/policy/probe.ts). */
export const OpenPath = Type.Object(
  {
    methodId: Type.String(),
    title: Type.String(),
    action: Type.String(),
    resource: Type.String(),
    context: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]))),
    explanation: Type.String(),
    decidingStatements: Type.Array(Type.String()),
    requestContext: Type.Optional(Type.String()),
    steps: Type.Array(Type.Object({ action: Type.String(), resource: Type.String() })),
  },
  { $id: 'OpenPath' },
);

export const PayerEvidenceSummary = Type.Object(
  {
    accountId: Type.String(),
    collectedAt: DateTime(),
    managementEmail: Nullable(Type.String()),
    managementEmailOnDistributorDomain: Nullable(Type.Boolean()),
    boundaryPresent: Nullable(Type.Boolean()),
    fencedAdminOpenPaths: Nullable(
      Type.Array(ref(OpenPath), {
        description: 'what a partner administrator fenced by the deployed boundary could still do',
      }),
    ),
    policyAnalysisError: Nullable(Type.String()),
    calls: Type.Record(Type.String(), CallStatus, { description: 'evidence key: how its AWS call went' }),
  },
  { $id: 'PayerEvidenceSummary' },
);

export const PayerView = Type.Object(
  {
    accountId: Type.String(),
    roleArn: Type.String(),
    createdAt: DateTime(),
    lastAccessOkAt: Nullable(DateTime()),
    lastAccessError: Nullable(Type.String()),
    evidence: Nullable(ref(PayerEvidenceSummary)),
  },
  { $id: 'PayerView' },
);

export const Snapshot = Type.Object(
  {
    id: Type.String(),
    runId: Type.String(),
    takenAt: DateTime(),
    score: Type.Integer(),
    grade: ref(Grade),
    counts: Open('findings by status, failing by severity (core ScoreCounts)'),
    lockedOut: Type.Boolean(),
    failingCriticalControls: Type.Array(Type.String()),
    monthlySpend: Type.Optional(Nullable(Type.Number({ description: 'absent for partner viewers' }))),
  },
  { $id: 'Snapshot' },
);

export const HistoryPoint = Type.Object(
  { runId: Type.String(), takenAt: DateTime(), score: Type.Integer(), grade: ref(Grade), lockedOut: Type.Boolean() },
  { $id: 'HistoryPoint' },
);

/** core/src/engine/score-run.ts FindingChange. */
export const FindingChange = Type.Object(
  {
    controlId: Type.String(),
    payerAccountId: Type.String(),
    resource: Type.String(),
    severity: ref(Severity),
    message: Type.String(),
    status: ref(FindingStatus),
    nowStatus: Type.Optional(Type.Union([ref(FindingStatus), Type.Literal('absent')])),
  },
  { $id: 'FindingChange' },
);

/** core/src/engine/score-run.ts SnapshotChanges: what changed since the partner's previous snapshot. */
export const SnapshotChanges = Type.Object(
  {
    baseline: Type.Boolean({ description: "the partner's first snapshot: nothing to compare with" }),
    previousScore: Nullable(Type.Integer()),
    previousGrade: Nullable(ref(Grade)),
    scoreDelta: Nullable(Type.Integer()),
    newCount: Type.Integer(),
    resolvedCount: Type.Integer(),
    new: Type.Array(ref(FindingChange)),
    resolved: Type.Array(ref(FindingChange)),
  },
  { $id: 'SnapshotChanges' },
);

export const FindingView = Type.Object(
  {
    id: Type.Integer(),
    controlId: Type.String(),
    title: Type.String(),
    category: Nullable(Type.String()),
    severity: ref(Severity),
    status: ref(FindingStatus),
    payerAccountId: Type.String(),
    resource: Type.String(),
    message: Type.String(),
    evidence: Open('the exact values that decided it'),
    remediation: Nullable(Type.String()),
    references: Type.Array(ref(Reference)),
    suppressionId: Nullable(Type.String()),
  },
  { $id: 'FindingView' },
);

export const MemberAccount = Type.Object(
  {
    payerAccountId: Type.String(),
    id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    emailDomain: Type.String(),
    onDistributorDomain: Type.Boolean(),
    status: Type.String(),
    joinedMethod: Type.Optional(Type.String()),
    joinedTimestamp: Type.Optional(Type.String()),
    isPayer: Type.Boolean(),
  },
  { $id: 'MemberAccount' },
);

export const Principal = Type.Object(
  {
    payerAccountId: Type.String(),
    type: Type.Union([Type.Literal('user'), Type.Literal('role')]),
    arn: Type.String(),
    name: Type.String(),
    path: Type.String(),
    permissionsBoundaryArn: Nullable(Type.String()),
    hasDistributorBoundary: Type.Boolean(),
    distributorOwned: Type.Boolean(),
    serviceLinked: Type.Boolean(),
    canAdministerIam: Nullable(Type.Boolean()),
    openPaths: Nullable(Type.Integer()),
    attachedPolicies: Type.Array(Type.String()),
  },
  { $id: 'Principal' },
);

export const EscalationPath = Type.Object(
  {
    payerAccountId: Type.String(),
    principalArn: Type.String(),
    principalName: Type.String(),
    hasDistributorBoundary: Type.Boolean(),
    methodId: Type.String(),
    title: Type.String(),
    action: Type.String(),
    resource: Type.String(),
    explanation: Type.String(),
    decidingStatements: Type.Array(Type.String()),
    steps: Type.Array(Type.Object({ action: Type.String(), resource: Type.String() })),
    requestContext: Type.Optional(Type.String()),
  },
  { $id: 'EscalationPath' },
);

export const BoundaryCoverage = Type.Object(
  {
    principals: Type.Integer(),
    distributorOwned: Type.Integer(),
    partnerPrincipals: Type.Integer(),
    covered: Type.Integer(),
    uncovered: Type.Integer(),
    share: Nullable(Type.Number({ description: 'covered / partnerPrincipals, 0..1' })),
    principalsWithOpenPaths: Type.Integer(),
  },
  { $id: 'BoundaryCoverage' },
);

/** core/src/evidence/types.ts RootEvent, placed in its payer. */
export const RootEventView = Type.Object(
  {
    payerAccountId: Type.String(),
    eventId: Type.String(),
    eventTime: DateTime(),
    eventName: Type.String(),
    eventSource: Type.String(),
    eventType: Type.String(),
    awsRegion: Type.String(),
    sourceIPAddress: Type.Optional(Type.String()),
    userAgent: Type.Optional(Type.String()),
    mfaUsed: Type.Optional(Type.Boolean()),
    outcome: Type.Optional(Type.String()),
    errorCode: Type.Optional(Type.String()),
    accountId: Type.String(),
    readOnly: Type.Optional(Type.Boolean()),
    fromConsole: Type.Optional(Type.Boolean()),
    request: Type.Optional(Open('the request parameters that decide a root-only task')),
    live: Type.Optional(Type.Boolean()),
  },
  { $id: 'RootEventView' },
);

/** core/src/root-windows/trail.ts TrailEvent. */
export const TrailEvent = Type.Object(
  {
    payerAccountId: Type.String(),
    eventId: Type.String(),
    eventName: Type.String(),
    eventTime: Type.String({ description: 'ISO date-time as the finding stored it' }),
    sourceIPAddress: Nullable(Type.String()),
    mfaUsed: Nullable(Type.Boolean()),
    outcome: Nullable(Type.String()),
  },
  { $id: 'TrailEvent' },
);

/** Two-party root access: each window with the root events the last scoring placed in it, and the ones outside. */
export const RootAccessTrail = Type.Object(
  {
    windows: Type.Array(Type.Object({ ...RootAccessWindow.properties, events: Type.Array(ref(TrailEvent)) })),
    outside: Type.Array(
      Type.Object({
        ...TrailEvent.properties,
        status: ref(FindingStatus),
        severity: ref(Severity),
        message: Type.String(),
      }),
    ),
  },
  { $id: 'RootAccessTrail' },
);

export const PartnerDetail = Type.Object(
  {
    partner: Type.Object({ id: Type.String(), name: Type.String(), tags: ref(Tags), createdAt: DateTime() }),
    payers: Type.Array(ref(PayerView)),
    snapshot: Nullable(ref(Snapshot)),
    changes: Nullable(ref(SnapshotChanges)),
    findings: Type.Array(ref(FindingView)),
    memberAccounts: Type.Array(ref(MemberAccount)),
    principals: Type.Array(ref(Principal)),
    boundaryCoverage: ref(BoundaryCoverage),
    escalationPaths: Type.Array(ref(EscalationPath)),
    rootEvents: Type.Array(ref(RootEventView)),
    detailsWithNextRun: Type.Boolean({
      description:
        'the latest run was scored before payer details were stored: members, principals, escalation paths and root events arrive with the next run',
    }),
    history: Type.Array(ref(HistoryPoint), { description: 'oldest first' }),
    rootAccess: ref(RootAccessTrail),
    suppressions: Type.Array(ref(Suppression)),
  },
  { $id: 'PartnerDetail' },
);

// ---------------------------------------------------------------- onboarding, access checks, registry import

export const DeployStep = Type.Object(
  {
    template: Type.String({ description: 'deploy/<file>' }),
    purpose: Type.String(),
    parameters: Type.Record(Type.String(), Type.String()),
    createStack: Type.String({ description: '`aws cloudformation create-stack ...`, run in the payer account' }),
    stackSetInstance: Type.Optional(Type.String()),
    warnings: Type.Array(Type.String()),
  },
  { $id: 'DeployStep' },
);

export const Onboarding = Type.Object(
  {
    payerAccountId: Type.String(),
    roleArn: Type.String(),
    expectedRoleArn: Type.String(),
    externalId: Type.String(),
    trustPolicy: Open('the collector role trust policy'),
    cloudFormationTemplate: Open('a CloudFormation template for the collector role'),
    deploy: Type.Object({ collectorRole: ref(DeployStep), permissionsBoundary: ref(DeployStep) }),
    simulatorDeploy: Type.Optional(
      Type.Object(
        { url: Type.String(), body: Type.Object({ accountId: Type.String(), externalId: Type.String() }) },
        { description: 'only against the AWS simulator: the admin call that stands in for the collector stack' },
      ),
    ),
  },
  { $id: 'Onboarding' },
);

export const PartnerOnboarding = Type.Object(
  { partnerId: Type.String(), payers: Type.Array(ref(Onboarding)) },
  { $id: 'PartnerOnboarding' },
);

export const PartnerCreated = Type.Object(
  {
    partner: Type.Object({ id: Type.String(), name: Type.String(), tags: ref(Tags) }),
    onboarding: Type.Array(ref(Onboarding)),
  },
  { $id: 'PartnerCreated' },
);

export const PartnerRemoved = Type.Object(
  {
    ok: Type.Boolean(),
    removed: Type.Record(Type.String(), Type.Integer(), { description: 'rows removed per table' }),
  },
  { $id: 'PartnerRemoved' },
);

export const AccessCheck = Type.Object(
  {
    payerAccountId: Type.String(),
    roleArn: Type.String(),
    ok: Type.Boolean(),
    assumedRoleArn: Type.Optional(Type.String()),
    errorCode: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    latencyMs: Type.Number(),
  },
  { $id: 'AccessCheck' },
);

export const AccessCheckResults = Type.Object(
  { partnerId: Type.String(), results: Type.Array(ref(AccessCheck)) },
  { $id: 'AccessCheckResults' },
);

export const RegistryImported = Type.Object(
  {
    dryRun: Type.Optional(Type.Boolean()),
    partners: Type.Optional(Type.Integer({ description: 'dry run: partners in the file' })),
    payers: Type.Optional(Type.Integer({ description: 'dry run: payers in the file' })),
    imported: Type.Optional(
      Type.Object({
        partners: Type.Integer(),
        payers: Type.Integer(),
        partnersCreated: Type.Integer(),
        payersCreated: Type.Integer(),
        payersRemoved: Type.Integer(),
      }),
    ),
  },
  { $id: 'RegistryImported', description: 'a dry run answers dryRun, partners and payers; an import answers imported' },
);

export const partnerSchemas = [
  PartnerSummary,
  PartnerList,
  OpenPath,
  PayerEvidenceSummary,
  PayerView,
  Snapshot,
  HistoryPoint,
  FindingChange,
  SnapshotChanges,
  FindingView,
  MemberAccount,
  Principal,
  EscalationPath,
  BoundaryCoverage,
  RootEventView,
  TrailEvent,
  RootAccessTrail,
  PartnerDetail,
  DeployStep,
  Onboarding,
  PartnerOnboarding,
  PartnerCreated,
  PartnerRemoved,
  AccessCheck,
  AccessCheckResults,
  RegistryImported,
];
