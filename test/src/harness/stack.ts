/**
 * The whole product in this process (sim + PGlite/Postgres + workers + API + dashboard), for integration and browser
 * tests: the same composition `npm run demo` runs.
 */
export { startStack, waitForRun, ensureWebBuild, type Stack, type StackOptions } from '@payerguard/cli/stack';
