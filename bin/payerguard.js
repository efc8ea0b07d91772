#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so there is no build step between a checkout and a running service.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/src/main.ts');
