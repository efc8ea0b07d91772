import { CONTROL_METADATA } from '@payerguard/core/controls/all-controls';
import type { ControlMeta } from '@payerguard/core/controls/types';

/** The control catalogue as the API shows it, in registry order (core's CONTROL_METADATA: one copy for every reader). */
export const controlCatalogue = (): ControlMeta[] => [...CONTROL_METADATA.values()];

export const controlsById = (): ReadonlyMap<string, ControlMeta> => CONTROL_METADATA;
