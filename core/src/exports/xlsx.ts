import ExcelJS from 'exceljs';
import type { Db } from '../db/index.js';
import { isOk, type PayerEvidence } from '../evidence/types.js';
import { isDistributorOwned, isServiceLinkedPath } from '../policy/analyze.js';
import { boundaryArnFor, type DistributorSettings } from '../settings.js';
import { forAudience, sortFindings } from './shape.js';
import type { Sink } from './sink.js';
import { evidenceFor, findingsFor, readSettings, type SnapshotRow, snapshotPages } from './source.js';
import type { ExportRequest } from './types.js';

type Column = { header: string; key: string; width: number };

/**
 * XLSX through exceljs's streaming WorkbookWriter. Sheets are written one after another (one database pass each):
 * the zip holds one entry open at a time, so a sheet written while another is open would sit in memory whole.
 */
export async function writeXlsx(db: Db, req: ExportRequest, sink: Sink): Promise<{ rows: number; partners: number }> {
  const audience = req.audience ?? 'distributor';
  const settings = await readSettings(db);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink.stream, useStyles: true, useSharedStrings: false });
  wb.creator = 'payerguard';
  wb.created = new Date();
  let rows = 0;
  let partners = 0;

  const sheet = async (
    name: string,
    columns: Column[],
    fill: (add: (row: Record<string, unknown>) => void, page: SnapshotRow[]) => Promise<void>,
  ) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = columns;
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    for await (const page of snapshotPages(db, req.scope, req.asOf)) {
      await fill((row) => {
        ws.addRow(row).commit();
        rows++;
      }, page);
      await sink.drained();
    }
    ws.commit();
  };

  const summaryColumns: Column[] = [
    { header: 'Partner ID', key: 'partnerId', width: 22 },
    { header: 'Partner', key: 'partnerName', width: 30 },
    { header: 'Snapshot taken at', key: 'takenAt', width: 22 },
    { header: 'Score', key: 'score', width: 8 },
    { header: 'Grade', key: 'grade', width: 7 },
    { header: 'Locked out', key: 'lockedOut', width: 11 },
    { header: 'Critical failures', key: 'criticalFailures', width: 40 },
    { header: 'Fail', key: 'fail', width: 7 },
    { header: 'Warn', key: 'warn', width: 7 },
    { header: 'Unknown', key: 'unknown', width: 9 },
    { header: 'Pass', key: 'pass', width: 7 },
    { header: 'Suppressed', key: 'suppressed', width: 11 },
    ...(audience === 'distributor' ? [{ header: 'Monthly spend (USD)', key: 'monthlySpend', width: 18 }] : []),
  ];
  await sheet('Summary', summaryColumns, async (add, page) => {
    const byPartner = await findingsFor(db, page);
    for (const raw of page) {
      const { snap, findings } = forAudience(audience, raw, byPartner.get(raw.partnerId) ?? []);
      const count = (s: string) => findings.filter((f) => f.status === s).length;
      partners++;
      add({
        partnerId: snap.partnerId,
        partnerName: snap.partnerName,
        takenAt: snap.takenAt,
        score: snap.score,
        grade: snap.grade,
        lockedOut: snap.lockedOut ? 'yes' : 'no',
        criticalFailures: snap.criticalFailures.join(', '),
        fail: count('fail'),
        warn: count('warn'),
        unknown: count('unknown'),
        pass: count('pass'),
        suppressed: count('suppressed'),
        monthlySpend: snap.monthlySpend ?? undefined,
      });
    }
  });

  await sheet(
    'Findings',
    [
      { header: 'Partner ID', key: 'partnerId', width: 22 },
      { header: 'Payer account', key: 'payerAccountId', width: 15 },
      { header: 'Control', key: 'controlId', width: 22 },
      { header: 'Title', key: 'title', width: 40 },
      { header: 'Severity', key: 'severity', width: 10 },
      { header: 'Status', key: 'status', width: 11 },
      { header: 'Resource', key: 'resource', width: 40 },
      { header: 'Message', key: 'message', width: 60 },
      { header: 'Evidence (JSON)', key: 'evidence', width: 60 },
      { header: 'Suppression', key: 'suppressionId', width: 16 },
    ],
    async (add, page) => {
      const byPartner = await findingsFor(db, page);
      for (const raw of page) {
        const { findings } = forAudience(audience, raw, byPartner.get(raw.partnerId) ?? []);
        for (const f of sortFindings(findings))
          add({ ...f, evidence: cellText(JSON.stringify(f.evidence)), suppressionId: f.suppressionId ?? '' });
      }
    },
  );

  await sheet(
    'Root events',
    [
      { header: 'Partner ID', key: 'partnerId', width: 22 },
      { header: 'Payer account', key: 'accountId', width: 15 },
      { header: 'Time', key: 'eventTime', width: 22 },
      { header: 'Event', key: 'eventName', width: 24 },
      { header: 'Type', key: 'eventType', width: 18 },
      { header: 'Source', key: 'eventSource', width: 26 },
      { header: 'MFA used', key: 'mfaUsed', width: 9 },
      { header: 'Source IP', key: 'sourceIPAddress', width: 16 },
      { header: 'Region', key: 'awsRegion', width: 12 },
      { header: 'Outcome', key: 'outcome', width: 14 },
      { header: 'In approved window', key: 'approved', width: 18 },
      { header: 'Event ID', key: 'eventId', width: 38 },
    ],
    async (add, page) => {
      const byPartner = await evidenceFor(db, page);
      for (const snap of page)
        for (const ev of byPartner.get(snap.partnerId) ?? []) {
          const events = ev.cloudtrail?.rootEvents;
          if (!isOk(events)) continue;
          for (const e of events.data)
            add({
              partnerId: snap.partnerId,
              ...e,
              accountId: e.accountId || ev.payerAccountId,
              eventTime: e.eventTime,
              mfaUsed: e.mfaUsed === undefined ? 'unknown' : e.mfaUsed ? 'yes' : 'no',
              outcome: e.outcome ?? e.errorCode ?? '',
              approved: inApprovedWindow(settings, e.eventTime) ? 'yes' : 'no',
            });
        }
    },
  );

  await sheet(
    'Boundary coverage',
    [
      { header: 'Partner ID', key: 'partnerId', width: 22 },
      { header: 'Payer account', key: 'payerAccountId', width: 15 },
      { header: 'Type', key: 'type', width: 7 },
      { header: 'Name', key: 'name', width: 30 },
      { header: 'ARN', key: 'arn', width: 60 },
      { header: "Distributor's own", key: 'distributorOwned', width: 16 },
      { header: 'Boundary attached', key: 'boundaryArn', width: 60 },
      { header: 'Coverage', key: 'coverage', width: 20 },
    ],
    async (add, page) => {
      const byPartner = await evidenceFor(db, page);
      for (const snap of page)
        for (const ev of byPartner.get(snap.partnerId) ?? [])
          for (const row of boundaryRows(settings, ev)) add({ partnerId: snap.partnerId, ...row });
    },
  );

  await wb.commit();
  return { rows, partners };
}

/** Excel refuses cells over 32,767 characters. */
const cellText = (s: string) => (s.length > 32_000 ? `${s.slice(0, 32_000)}... [truncated]` : s);

function inApprovedWindow(s: DistributorSettings, at: string): boolean {
  const t = Date.parse(at);
  return s.approvedRootWindows.some((w) => Date.parse(w.start) <= t && t <= Date.parse(w.end));
}

export interface BoundaryRow {
  payerAccountId: string;
  type: 'user' | 'role';
  name: string;
  arn: string;
  distributorOwned: 'yes' | 'no';
  boundaryArn: string;
  coverage: 'covered' | 'missing' | 'other boundary' | 'exempt';
}

/** Every IAM user and role in a payer, and whether it carries the distributor's permissions boundary. */
export function boundaryRows(s: DistributorSettings, ev: PayerEvidence): BoundaryRow[] {
  const auth = ev.iam?.authorizationDetails;
  if (!isOk(auth)) return [];
  const expected = boundaryArnFor(s, ev.payerAccountId);
  // The controls' own rules for who is the distributor's and which roles IAM cannot fence (one owner: policy/analyze).
  const principals = [
    ...auth.data.users.map((u) => ({ ...u, type: 'user' as const })),
    ...auth.data.roles.filter((r) => !isServiceLinkedPath(r.path || '/')).map((r) => ({ ...r, type: 'role' as const })),
  ];
  return principals.map((p) => {
    const owned = isDistributorOwned({ name: p.name, path: p.path || '/', tags: p.tags ?? {} }, p.type, s);
    const coverage: BoundaryRow['coverage'] = owned
      ? 'exempt'
      : !p.permissionsBoundaryArn
        ? 'missing'
        : p.permissionsBoundaryArn === expected
          ? 'covered'
          : 'other boundary';
    return {
      payerAccountId: ev.payerAccountId,
      type: p.type,
      name: p.name,
      arn: p.arn,
      distributorOwned: owned ? 'yes' : 'no',
      boundaryArn: p.permissionsBoundaryArn ?? '',
      coverage,
    };
  });
}
