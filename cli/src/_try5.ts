import { analyzePayer } from '@payerguard/core/policy/analyze';
import { editDetails, user, role, ADMIN_ARN } from '@payerguard/core/policy/fixtures';
import { compliantEvidence } from '@payerguard/core/testing/evidence';
import { defaultSettings, boundaryArnFor } from '@payerguard/core';
const s = defaultSettings();
const ev = editDetails(compliantEvidence(), (d, acct) => {
  const b = boundaryArnFor(s, acct);
  for (let i = 0; i < 250; i++) d.users.push(user(acct, `admin-${i}`, { attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }], permissionsBoundaryArn: b }));
  for (let i = 0; i < 60; i++) d.roles.push(role(acct, `work-${i}`, { path: '/bounded/', attachedPolicies: [{ arn: 'arn:aws:iam::aws:policy/PowerUserAccess', name: 'PowerUserAccess' }], permissionsBoundaryArn: b }));
  for (let i = 0; i < 5; i++) d.roles.push(role(acct, `legacy-${i}`, { attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }] }));
});
for (let i = 0; i < 3; i++) { const a = analyzePayer(ev, s); console.log(JSON.stringify(a.stats), 'sims/s', Math.round(a.stats.simulations / (a.stats.durationMs / 1000))); }
