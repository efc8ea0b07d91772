export { startSimulator, type Simulator, type SimulatorOptions, type SimulatorStats } from './server.js';
export { generateEstate, MAX_PARTNERS, type EstateOptions } from './estate/generate.js';
export type * from './estate/types.js';
export { PROFILES, BOUNDARY_HOLES, isProfileId, type ProfileId } from './profiles.js';
export { FAULT_KINDS, type Fault, type FaultKind, type FaultSpec, validateFaultSpec } from './faults.js';
export { CREDENTIAL_REPORT_COLUMNS } from './services/iam.js';
export { DENIABLE_APIS } from './estate/payer-account.js';
