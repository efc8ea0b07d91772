import { Type } from 'typebox';
import { SettingsSchema } from '../routes/settings/schema.js';

/** The distributor settings as stored (core/src/settings.ts DistributorSettings): the shape PUT accepts, named. */
export const Settings = Type.Object(SettingsSchema.properties, { $id: 'Settings' });

export const settingsSchemas = [Settings];
