import { checkBoundary } from '@payerguard/core/policy/check';
import { referenceBoundary } from '@payerguard/core/policy/reference-boundary';
import { defaultSettings, boundaryArnFor } from '@payerguard/core';
const s = defaultSettings();
for (let i = 0; i < 4; i++) { const r = checkBoundary({ boundary: referenceBoundary(s, '222222222222'), boundaryArn: boundaryArnFor(s, '222222222222') }); console.log(r.effective, r.simulations, r.durationMs, Math.round(r.simulations / r.durationMs * 1000), 'sims/s'); }
