import { PolicySet } from '@payerguard/core/policy/engine';
import { requestFor } from '@payerguard/core/policy/probe';
import { referenceBoundary } from '@payerguard/core/policy/reference-boundary';
import { defaultSettings } from '@payerguard/core';
const s = defaultSettings();
const ps = new PolicySet([{ name: 'a', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }], { name: 'b', document: referenceBoundary(s, '222222222222') });
const caller = { kind: 'user' as const, arn: 'arn:aws:iam::222222222222:user/x', accountId: '222222222222', name: 'x' };
const req = requestFor(caller, { action: 'iam:CreateRole', resource: 'arn:aws:iam::222222222222:role/y' }, new Date());
for (const n of [1000, 3000]) { let t = performance.now(); for (let i = 0; i < n; i++) ps.simulate(req); console.log('simulate', n / ((performance.now() - t) / 1000)); }
let t = performance.now(); for (let i = 0; i < 3000; i++) requestFor(caller, { action: 'iam:CreateRole', resource: 'arn:aws:iam::222222222222:role/y' }, new Date()); console.log('requestFor', 3000 / ((performance.now() - t) / 1000));
