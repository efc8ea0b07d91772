import { accessBillingRole } from './access/access-billing-role.js';
import { accessCollectorRole } from './access/access-collector-role.js';
import { accessLastSuccess } from './access/access-last-success.js';
import { boundaryCoverage } from './boundary/boundary-coverage.js';
import { boundaryDrift } from './boundary/boundary-drift.js';
import { boundaryEffectiveness } from './boundary/boundary-effectiveness.js';
import { govOrgTrail } from './governance/gov-org-trail.js';
import { ownBillingContact } from './ownership/own-billing-contact.js';
import { ownMemberDomains } from './ownership/own-member-domains.js';
import { ownPayerIsManagement } from './ownership/own-payer-is-management.js';
import { ownRootEmailDomain } from './ownership/own-root-email-domain.js';
import { rootActivityInWindow } from './root/root-activity-in-window.js';
import { rootActivityRootOnlyTasks } from './root/root-activity-root-only-tasks.js';
import { rootCentralizedAccess } from './root/root-centralized-access.js';
import { rootHardwareMfa } from './root/root-hardware-mfa.js';
import { rootMfa } from './root/root-mfa.js';
import { rootMonitorRule } from './root/root-monitor-rule.js';
import { rootNoAccessKeys } from './root/root-no-access-keys.js';
import { rootNoSigningCerts } from './root/root-no-signing-certs.js';
import { rootSigninMfa } from './root/root-signin-mfa.js';
import type { Control, ControlMeta } from './types.js';

/** The control catalogue, in the order findings are shown. Adding a control = one file + one line here. */
export const CONTROLS: readonly Control[] = [
  ownRootEmailDomain,
  ownPayerIsManagement,
  ownBillingContact,
  ownMemberDomains,
  accessCollectorRole,
  accessLastSuccess,
  accessBillingRole,
  rootMfa,
  rootHardwareMfa,
  rootNoAccessKeys,
  rootNoSigningCerts,
  rootSigninMfa,
  rootActivityRootOnlyTasks,
  rootActivityInWindow,
  rootMonitorRule,
  rootCentralizedAccess,
  boundaryCoverage,
  boundaryEffectiveness,
  boundaryDrift,
  govOrgTrail,
];

const byId = new Map(CONTROLS.map((c) => [c.id, c]));
if (byId.size !== CONTROLS.length) throw new Error('control registry: duplicate control id');

export const controlById = (id: string): Control | undefined => byId.get(id);

/**
 * The catalogue as readers show it (the API, the drill-down, the PDF pack): metadata only, evaluate() stays with the
 * engine; by id, in registry order. The one copy every reader shares.
 */
export const CONTROL_METADATA: ReadonlyMap<string, ControlMeta> = new Map(
  CONTROLS.map((c) => [
    c.id,
    {
      id: c.id,
      title: c.title,
      category: c.category,
      severity: c.severity,
      rationale: c.rationale,
      remediation: c.remediation,
      references: c.references,
      evidence: c.evidence,
    },
  ]),
);
