import {
  bigint,
  bigserial,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * One schema for Postgres and PGlite. Keep it PG15-compatible (Debian's server is 15, PGlite embeds 18).
 * Snapshots, evidence and findings are written once and never updated: history is kept.
 */

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

const tsz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const partners = pgTable('partners', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Free-form labels: region, tier, partner manager. */
  tags: jsonb('tags').$type<Record<string, string>>().notNull().default({}),
  createdAt: tsz('created_at').notNull().defaultNow(),
  updatedAt: tsz('updated_at').notNull().defaultNow(),
});

export const payers = pgTable(
  'payers',
  {
    accountId: text('account_id').primaryKey(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    roleArn: text('role_arn').notNull(),
    /** Secret-ish: never returned to partner viewers, never logged. */
    externalId: text('external_id').notNull(),
    createdAt: tsz('created_at').notNull().defaultNow(),
    lastAccessOkAt: tsz('last_access_ok_at'),
    lastAccessError: text('last_access_error'),
  },
  (t) => [index('payers_partner_idx').on(t.partnerId)],
);

/** Single row (id = 1): the distributor settings as JSON (see settings.ts). */
export const settings = pgTable('settings', {
  id: integer('id').primaryKey(),
  data: jsonb('data').notNull(),
  updatedAt: tsz('updated_at').notNull().defaultNow(),
  updatedBy: text('updated_by'),
});

export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    /** queued | running | completed | failed | interrupted */
    status: text('status').notNull(),
    trigger: text('trigger').notNull(), // manual | schedule | demo | cli
    requestedBy: text('requested_by'),
    total: integer('total').notNull().default(0),
    collected: integer('collected').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    createdAt: tsz('created_at').notNull().defaultNow(),
    startedAt: tsz('started_at'),
    finishedAt: tsz('finished_at'),
    /** Run-level summary written by the parent job: grades, spend at risk, lockouts. */
    summary: jsonb('summary'),
    error: text('error'),
    /** BullMQ key prefix the run's jobs live under: the reconciler only looks after runs of its own queues. */
    queuePrefix: text('queue_prefix'),
    /** Times the reconciler re-enqueued payers whose jobs Redis lost (bounded; past the bound the run is interrupted). */
    requeues: integer('requeues').notNull().default(0),
    /** What the reconciler did to this run and why (shown with the run). */
    recoveryNote: text('recovery_note'),
  },
  (t) => [index('runs_created_idx').on(t.createdAt)],
);

/** One row per payer per run: its outcome. A payer is never dropped from a run. */
export const runPayers = pgTable(
  'run_payers',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    payerAccountId: text('payer_account_id').notNull(),
    partnerId: text('partner_id').notNull(),
    /** queued | running | collected | failed */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    /** Count of evidence calls by status (ok/denied/throttled/error...). */
    callStats: jsonb('call_stats'),
    startedAt: tsz('started_at'),
    finishedAt: tsz('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.payerAccountId] }), index('run_payers_partner_idx').on(t.partnerId)],
);

/**
 * A payer's raw evidence (PayerEvidence JSON) per run, as readers see it: a VIEW over `evidence_runs` joined with
 * the content-addressed `evidence_docs` (migration 0008). Inserting into it still works (an INSTEAD OF trigger stores
 * the document once); the collection path writes through core/src/evidence/store.ts, which also keeps request ids and
 * the collection time out of the shared document.
 */
export const evidence = pgTable('evidence', {
  runId: text('run_id').notNull(),
  payerAccountId: text('payer_account_id').notNull(),
  partnerId: text('partner_id').notNull(),
  collectedAt: tsz('collected_at').notNull(),
  data: jsonb('data').notNull(),
  /**
   * The controls' findings (before suppressions), evaluated by the payer job right after collection so the CPU
   * work spreads over the workers; scoreRun uses them when `evaluatedWith` matches the current settings.
   */
  findings: jsonb('findings'),
  evaluatedWith: text('evaluated_with'),
});

/** Each distinct evidence document once, addressed by content_hash(data::text). */
export const evidenceDocs = pgTable('evidence_docs', {
  hash: text('hash').primaryKey(),
  data: jsonb('data').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
  createdAt: tsz('created_at').notNull().defaultNow(),
});

/** One row per payer per run pointing at its document; `volatile` holds what differs on every collection. */
export const evidenceRuns = pgTable(
  'evidence_runs',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    payerAccountId: text('payer_account_id').notNull(),
    partnerId: text('partner_id').notNull(),
    collectedAt: tsz('collected_at').notNull(),
    /** Rows written before 0008 kept their document inline; new rows leave it null and point at evidence_docs. */
    data: jsonb('data'),
    docHash: text('doc_hash'),
    /** Path (keys joined by U+001F) -> value, put back into the document by the SQL function evidence_assemble. */
    volatile: jsonb('volatile'),
    /** Where request_ids go back in the document (evidence_request_layouts, migration 0010); null when none. */
    requestLayout: uuid('request_layout'),
    /** The run's AWS request ids in layout order; not null marks a row written in the compact form (0010). */
    requestIds: uuid('request_ids').array(),
    findings: jsonb('findings'),
    evaluatedWith: text('evaluated_with'),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.payerAccountId] }),
    index('evidence_partner_idx').on(t.partnerId),
    index('evidence_runs_doc_idx').on(t.docHash),
    index('evidence_runs_layout_idx').on(t.requestLayout),
  ],
);

/** Request-id layouts ([path, count] in document order), stored once however many runs share one (0010). */
export const evidenceRequestLayouts = pgTable('evidence_request_layouts', {
  hash: uuid('hash').primaryKey(),
  paths: jsonb('paths').notNull(),
});

/**
 * What the drill-down shows about one payer in one run (core/src/read-model/payer-view.ts), built with the findings.
 * Only the views of partners' latest snapshots (and of runs not yet scored) are kept: see payer-views-store.ts.
 */
export const payerViews = pgTable(
  'payer_views',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    payerAccountId: text('payer_account_id').notNull(),
    partnerId: text('partner_id').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    /** The evaluation fingerprint (settings and controls) the view was built with. */
    builtWith: text('built_with').notNull(),
    view: jsonb('view').notNull(),
    builtAt: tsz('built_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.payerAccountId] }),
    index('payer_views_partner_run_idx').on(t.partnerId, t.runId),
  ],
);

/**
 * Findings of one run as readers see them: a VIEW (migration 0008) over `run_findings` (one row per payer per run)
 * -> `finding_sets` (the payer's findings, in order, as content hashes) -> `finding_contents`. Write through
 * core/src/engine/finding-store.ts. `id` orders a run's findings as they were scored.
 */
export const findings = pgTable('findings', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  runId: text('run_id').notNull(),
  partnerId: text('partner_id').notNull(),
  payerAccountId: text('payer_account_id').notNull(),
  controlId: text('control_id').notNull(),
  /** What the finding is about (ARN, account id, event id); '' for the payer as a whole. */
  resource: text('resource').notNull().default(''),
  status: text('status').notNull(), // pass | fail | warn | unknown | suppressed
  severity: text('severity').notNull(), // critical | high | medium | low
  title: text('title').notNull(),
  message: text('message').notNull(),
  evidence: jsonb('evidence').notNull(),
  suppressionId: text('suppression_id'),
});

/** One finding's content, stored once however many runs and payers report it. */
export const findingContents = pgTable('finding_contents', {
  hash: uuid('hash').primaryKey(),
  controlId: text('control_id').notNull(),
  resource: text('resource').notNull(),
  status: text('status').notNull(),
  severity: text('severity').notNull(),
  title: text('title').notNull(),
  message: text('message').notNull(),
  evidence: jsonb('evidence').notNull(),
  suppressionId: text('suppression_id'),
});

/** A payer's findings of one scoring, in order, as content hashes; shared by every run that found the same. */
export const findingSets = pgTable('finding_sets', {
  hash: text('hash').primaryKey(),
  items: uuid('items').array().notNull(),
  size: integer('size').notNull(),
});

/** Finding sets a run stopped pointing at, noted by triggers on run_findings (migration 0012); retention drains it. */
export const findingSetOrphans = pgTable('finding_set_orphans', {
  hash: text('hash').primaryKey(),
});

export const runFindings = pgTable(
  'run_findings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    partnerId: text('partner_id').notNull(),
    payerAccountId: text('payer_account_id').notNull(),
    setHash: text('set_hash').notNull(),
  },
  (t) => [
    uniqueIndex('run_findings_run_partner_payer_idx').on(t.runId, t.partnerId, t.payerAccountId),
    index('run_findings_partner_idx').on(t.partnerId),
    index('run_findings_set_idx').on(t.setHash),
  ],
);

/**
 * Each partner's latest snapshot with the overview's fields copied out, maintained by scoreRun in the transaction
 * that writes the snapshots; gone with the partner (a partner re-created with the same id starts empty).
 */
export const partnerLatest = pgTable(
  'partner_latest',
  {
    partnerId: text('partner_id')
      .primaryKey()
      .references(() => partners.id, { onDelete: 'cascade' }),
    snapshotId: text('snapshot_id').notNull(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    takenAt: tsz('taken_at').notNull(),
    score: integer('score').notNull(),
    grade: text('grade').notNull(),
    monthlySpend: doublePrecision('monthly_spend'),
    lockedOut: boolean('locked_out').notNull(),
    criticalCount: integer('critical_count').notNull(),
    criticalFailures: jsonb('critical_failures').$type<string[]>().notNull(),
    previousScore: integer('previous_score'),
  },
  (t) => [
    index('partner_latest_score_idx').on(t.score, t.partnerId),
    index('partner_latest_grade_idx').on(t.grade, t.partnerId),
    index('partner_latest_spend_idx').on(t.monthlySpend, t.partnerId),
    index('partner_latest_critical_idx').on(t.criticalCount, t.partnerId),
    index('partner_latest_run_idx').on(t.runId, t.partnerId),
  ],
);

/** One pre-aggregated point per scored run: the estate trend reads these, never the snapshots. */
export const runScores = pgTable(
  'run_scores',
  {
    runId: text('run_id')
      .primaryKey()
      .references(() => runs.id, { onDelete: 'cascade' }),
    scoredAt: tsz('scored_at').notNull(),
    /** A live-event re-score (one partner): kept out of the estate's line. */
    live: boolean('live').notNull(),
    partners: integer('partners').notNull(),
    averageScore: doublePrecision('average_score').notNull(),
    lockouts: integer('lockouts').notNull(),
    spendAtRisk: doublePrecision('spend_at_risk').notNull(),
  },
  (t) => [index('run_scores_live_scored_idx').on(t.live, t.scoredAt)],
);

/**
 * A version per read model (scope "estate": partners, payer ids, partner_latest, run_scores), moved by deferred
 * triggers in the transaction that changes those rows (migration 0009), so readers may cache what they derive.
 */
export const readVersions = pgTable('read_versions', {
  scope: text('scope').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull(),
});

/**
 * Each partner's drill-down as the API answers it, one row per partner and variant, served only while its
 * fingerprint, format and valid_until hold (migration 0011, core/src/read-model/drilldown/stored.ts).
 */
export const drilldownBodies = pgTable(
  'drilldown_bodies',
  {
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    variant: text('variant').notNull(),
    format: text('format').notNull(),
    fingerprint: text('fingerprint').notNull(),
    validUntil: tsz('valid_until'),
    builtAt: tsz('built_at').notNull().defaultNow(),
    bodyGzip: bytea('body_gzip').notNull(),
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.variant] })],
);

/** A version per partner's snapshots, moved by triggers on any write to them (migration 0013): the drill-down's
 * fingerprint reads it instead of the snapshots. */
export const partnerHistoryVersions = pgTable('partner_history_versions', {
  partnerId: text('partner_id').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull(),
});

/** One scored point in a partner's history. Immutable. */
export const snapshots = pgTable(
  'snapshots',
  {
    id: text('id').primaryKey(),
    partnerId: text('partner_id').notNull(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    takenAt: tsz('taken_at').notNull(),
    score: integer('score').notNull(),
    grade: text('grade').notNull(),
    /** Findings by status and severity. */
    counts: jsonb('counts').notNull(),
    criticalFailures: jsonb('critical_failures').$type<string[]>().notNull(),
    lockedOut: boolean('locked_out').notNull(),
    /** Last full month's spend, USD (null if unknown). */
    monthlySpend: doublePrecision('monthly_spend'),
    /** New and resolved findings since the partner's previous snapshot. */
    changes: jsonb('changes').notNull(),
    previousSnapshotId: text('previous_snapshot_id'),
  },
  (t) => [
    uniqueIndex('snapshots_partner_run_idx').on(t.partnerId, t.runId),
    index('snapshots_partner_taken_idx').on(t.partnerId, t.takenAt),
  ],
);

export const suppressions = pgTable(
  'suppressions',
  {
    id: text('id').primaryKey(),
    partnerId: text('partner_id').notNull(),
    controlId: text('control_id').notNull(),
    /** '' suppresses the control for the partner as a whole; otherwise one resource. */
    resource: text('resource').notNull().default(''),
    reason: text('reason').notNull(),
    approver: text('approver').notNull(),
    expiresAt: tsz('expires_at').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: tsz('created_at').notNull().defaultNow(),
    revokedAt: tsz('revoked_at'),
    revokedBy: text('revoked_by'),
    /** Null while a critical control's suppression waits for a second admin: it changes no verdict until then. */
    approvedAt: tsz('approved_at'),
    /** The second admin who approved a critical control's suppression (never the requester). */
    secondApprover: text('second_approver'),
  },
  (t) => [index('suppressions_partner_idx').on(t.partnerId)],
);

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name'),
  passwordHash: text('password_hash').notNull(),
  role: text('role').notNull(), // admin | analyst | partner_viewer
  partnerId: text('partner_id'),
  failedLogins: integer('failed_logins').notNull().default(0),
  lockedUntil: tsz('locked_until'),
  createdAt: tsz('created_at').notNull().defaultNow(),
  lastLoginAt: tsz('last_login_at'),
  disabled: boolean('disabled').notNull().default(false),
});

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** sha256 of the token; the token itself is shown once. */
    tokenHash: text('token_hash').notNull().unique(),
    prefix: text('prefix').notNull(),
    createdAt: tsz('created_at').notNull().defaultNow(),
    lastUsedAt: tsz('last_used_at'),
    expiresAt: tsz('expires_at'),
    revokedAt: tsz('revoked_at'),
    /** The token that created this one (a token may only mint tokens that die with it). */
    parentTokenId: text('parent_token_id'),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);

export const sessions = pgTable('sessions', {
  /** sha256 of the session id carried by the cookie. */
  idHash: text('id_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  csrfToken: text('csrf_token').notNull(),
  createdAt: tsz('created_at').notNull().defaultNow(),
  expiresAt: tsz('expires_at').notNull(),
});

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: tsz('at').notNull().defaultNow(),
    actor: text('actor').notNull(), // user email, "system", "schedule:<id>"
    action: text('action').notNull(), // login, login_failed, settings.update, suppression.create, run.start, export.download ...
    target: text('target'),
    detail: jsonb('detail'),
    ip: text('ip'),
  },
  (t) => [index('audit_at_idx').on(t.at)],
);

export const exportSchedules = pgTable('export_schedules', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  cron: text('cron').notNull(),
  timezone: text('timezone').notNull().default('UTC'),
  format: text('format').notNull(), // csv | json | xlsx | pdf
  /** { partnerId?, grades?, failingControl? } */
  scope: jsonb('scope').notNull().default({}),
  retentionDays: integer('retention_days').notNull().default(90),
  /** { s3?: { bucket, prefix }, webhook?: { url } } */
  delivery: jsonb('delivery').notNull().default({}),
  /** HMAC secret for webhook signatures; never returned after creation. */
  webhookSecret: text('webhook_secret'),
  enabled: boolean('enabled').notNull().default(true),
  createdBy: text('created_by').notNull(),
  createdAt: tsz('created_at').notNull().defaultNow(),
  lastRunAt: tsz('last_run_at'),
});

export const exportsTable = pgTable(
  'exports',
  {
    id: text('id').primaryKey(),
    scheduleId: text('schedule_id'),
    format: text('format').notNull(),
    scope: jsonb('scope').notNull().default({}),
    /** Partner the export is limited to (null = distributor-wide); partner viewers may only see their own. */
    partnerId: text('partner_id'),
    status: text('status').notNull(), // pending | ready | failed
    fileName: text('file_name'),
    contentType: text('content_type'),
    sizeBytes: integer('size_bytes'),
    content: bytea('content'),
    sha256: text('sha256'),
    error: text('error'),
    /** [{ target: 's3'|'webhook', status, attempts, lastError, deliveredAt }] */
    deliveries: jsonb('deliveries').notNull().default([]),
    requestedBy: text('requested_by').notNull(),
    createdAt: tsz('created_at').notNull().defaultNow(),
    expiresAt: tsz('expires_at'),
  },
  (t) => [index('exports_created_idx').on(t.createdAt), index('exports_partner_idx').on(t.partnerId)],
);

/**
 * Two-party root access: one side (a partner viewer or a distributor admin) asks for a window in which root may be
 * used on a payer, the other side decides. Rows are never deleted (they are the audit trail); no foreign key, so the
 * trail outlives a removed payer or partner.
 */
export const rootAccessWindows = pgTable(
  'root_access_windows',
  {
    id: text('id').primaryKey(),
    partnerId: text('partner_id').notNull(),
    payerAccountId: text('payer_account_id').notNull(),
    reason: text('reason').notNull(),
    startsAt: tsz('starts_at').notNull(),
    endsAt: tsz('ends_at').notNull(),
    /** pending | approved | rejected ("expired" is a pending request whose end has passed, derived on read). */
    state: text('state').notNull(),
    requestedBy: text('requested_by').notNull(),
    /** partner | distributor: the other side decides. */
    requestedBySide: text('requested_by_side').notNull(),
    requestedAt: tsz('requested_at').notNull().defaultNow(),
    decidedBy: text('decided_by'),
    decidedAt: tsz('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [
    index('root_access_windows_partner_idx').on(t.partnerId, t.requestedAt),
    index('root_access_windows_payer_idx').on(t.payerAccountId, t.state, t.endsAt),
    index('root_access_windows_state_idx').on(t.state, t.requestedAt),
  ],
);

/**
 * Root events that arrived live from the hub's queue (the root-activity monitor), one row per CloudTrail eventID:
 * SQS delivers at least once, so the id is the key. Joined into the payer's root-events evidence where the controls
 * read it (see core/src/root-events/live.ts).
 */
export const rootEvents = pgTable(
  'root_events',
  {
    eventId: text('event_id').primaryKey(),
    accountId: text('account_id').notNull(),
    /** The partner owning the payer when the event arrived; null for an account not in the registry. */
    partnerId: text('partner_id'),
    eventTime: tsz('event_time').notNull(),
    eventName: text('event_name').notNull(),
    eventSource: text('event_source').notNull(),
    eventType: text('event_type').notNull(),
    mfaUsed: boolean('mfa_used'),
    /** The flattened RootEvent the controls read. */
    data: jsonb('data').notNull(),
    /** The EventBridge event as the queue delivered it. */
    envelope: jsonb('envelope').notNull(),
    messageId: text('message_id'),
    receivedAt: tsz('received_at').notNull().defaultNow(),
    /** The run that re-scored the partner with this event; null until done. */
    rescoreRunId: text('rescore_run_id'),
    rescoreError: text('rescore_error'),
    /** When the root-activity alert was raised (deliveries are tracked per channel). */
    alertedAt: tsz('alerted_at'),
  },
  (t) => [
    index('root_events_account_time_idx').on(t.accountId, t.eventTime),
    index('root_events_received_idx').on(t.receivedAt),
  ],
);

/** Queue messages that were not a root event we could read: kept with the reason, removed from the queue. */
export const rootEventRejects = pgTable('root_event_rejects', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  messageId: text('message_id'),
  receivedAt: tsz('received_at').notNull().defaultNow(),
  error: text('error').notNull(),
  /** The message body, cut at 64 KB. */
  body: text('body').notNull(),
});

export const alertChannels = pgTable('alert_channels', {
  id: text('id').primaryKey(),
  kind: text('kind').notNull(), // webhook
  url: text('url').notNull(),
  /** Alert events the channel receives: root-activity, lockout, new-critical-finding. */
  events: jsonb('events').$type<string[]>().notNull(),
  /** HMAC secret for the signature header; shown once, at creation. */
  secret: text('secret').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: tsz('created_at').notNull().defaultNow(),
});

/** One alert to one channel. (channel, dedupe key) is unique, so an alert raised twice is delivered once. */
export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id')
      .notNull()
      .references(() => alertChannels.id, { onDelete: 'cascade' }),
    event: text('event').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    partnerId: text('partner_id'),
    /** The JSON body posted (Slack-compatible). */
    payload: jsonb('payload').notNull(),
    status: text('status').notNull(), // pending | retrying | delivered | failed
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: tsz('created_at').notNull().defaultNow(),
    deliveredAt: tsz('delivered_at'),
  },
  (t) => [
    uniqueIndex('alert_deliveries_channel_dedupe_idx').on(t.channelId, t.dedupeKey),
    index('alert_deliveries_channel_created_idx').on(t.channelId, t.createdAt),
  ],
);
