export { type EstateOptions, generateEstate, MAX_PARTNERS } from './estate/generate.js';
export { DENIABLE_APIS } from './estate/payer-account.js';
export type * from './estate/types.js';
export { FAULT_KINDS, type Fault, type FaultKind, type FaultSpec, validateFaultSpec } from './faults.js';
export { BOUNDARY_HOLES, isProfileId, PROFILES, type ProfileId } from './profiles.js';
export { type EventBridgeEvent, type RootActivitySpec, rootActivityEvent } from './root-activity.js';
export {
  type RootActivityResult,
  type Simulator,
  type SimulatorOptions,
  type SimulatorStats,
  startSimulator,
} from './server.js';
export { CREDENTIAL_REPORT_COLUMNS } from './services/iam.js';
