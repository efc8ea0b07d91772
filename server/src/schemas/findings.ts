import { Type } from 'typebox';
import { FindingStatus, Nullable, Open, ref, Severity } from './common.js';

/** A finding across partners (GET /api/findings). */
export const FindingRow = Type.Object(
  {
    id: Type.Integer(),
    runId: Type.String(),
    partnerId: Type.String(),
    partnerName: Nullable(Type.String()),
    payerAccountId: Type.String(),
    controlId: Type.String(),
    resource: Type.String({ description: "what the verdict is about; '' for the payer" }),
    status: ref(FindingStatus),
    severity: ref(Severity),
    title: Type.String(),
    message: Type.String(),
    evidence: Open('the exact values that decided it (emails, ARNs, event ids, actions)'),
    suppressionId: Nullable(Type.String()),
  },
  { $id: 'FindingRow' },
);

export const FindingList = Type.Object(
  {
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
    nextCursor: Type.Optional(
      Nullable(Type.String({ description: 'keyset pagination: pass as cursor for the next page' })),
    ),
    findings: Type.Array(ref(FindingRow)),
  },
  { $id: 'FindingList' },
);

export const findingSchemas = [FindingRow, FindingList];
