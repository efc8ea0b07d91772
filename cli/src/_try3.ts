import { analyzePayer } from '@payerguard/core/policy/analyze';
import { checkBoundary } from '@payerguard/core/policy/check';
import { referenceBoundary } from '@payerguard/core/policy/reference-boundary';
import { compliantEvidence } from '@payerguard/core/testing/evidence';
import { defaultSettings, boundaryArnFor } from '@payerguard/core';
const s = defaultSettings();
for (let i = 0; i < 5; i++) { const a = analyzePayer(compliantEvidence(), s); console.log(a.stats); }
for (let i = 0; i < 3; i++) { const r = checkBoundary({ boundary: referenceBoundary(s, '222222222222'), boundaryArn: boundaryArnFor(s, '222222222222') }); console.log(r.simulations, r.durationMs); }
