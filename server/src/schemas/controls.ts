import { Type } from 'typebox';
import { ref, Severity } from './common.js';

export const Reference = Type.Object({ title: Type.String(), url: Type.String() }, { $id: 'Reference' });

/** core/src/controls/types.ts ControlMeta: a control's metadata, as the catalogue lists it. */
export const Control = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    category: Type.String({ description: 'ownership | access | root | boundary | governance' }),
    severity: ref(Severity),
    rationale: Type.String(),
    remediation: Type.String(),
    references: Type.Array(ref(Reference)),
    evidence: Type.Array(Type.String(), { description: 'which parts of the evidence the control reads' }),
    runsWithoutAccess: Type.Optional(Type.Boolean()),
  },
  { $id: 'Control' },
);

export const ControlList = Type.Object({ controls: Type.Array(ref(Control)) }, { $id: 'ControlList' });

export const controlSchemas = [Reference, Control, ControlList];
