import type { TSchema } from 'typebox';
import { alertSchemas } from './alerts.js';
import { auditSchemas } from './audit.js';
import { authSchemas } from './auth.js';
import { commonSchemas } from './common.js';
import { controlSchemas } from './controls.js';
import { exportSchemas } from './exports.js';
import { findingSchemas } from './findings.js';
import { healthSchemas } from './health.js';
import { overviewSchemas } from './overview.js';
import { partnerSchemas } from './partners.js';
import { rootAccessWindowSchemas } from './root-access-windows.js';
import { runSchemas } from './runs.js';
import { settingsSchemas } from './settings.js';
import { suppressionSchemas } from './suppressions.js';
import { userSchemas } from './users.js';

/** Every named response shape: the app registers each once (app.addSchema), OpenAPI lists them as components. */
export const sharedSchemas: readonly TSchema[] = [
  ...commonSchemas,
  ...authSchemas,
  ...healthSchemas,
  ...overviewSchemas,
  ...findingSchemas,
  ...controlSchemas,
  ...suppressionSchemas,
  ...rootAccessWindowSchemas,
  ...partnerSchemas,
  ...runSchemas,
  ...userSchemas,
  ...auditSchemas,
  ...settingsSchemas,
  ...exportSchemas,
  ...alertSchemas,
];
