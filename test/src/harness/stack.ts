/**
 * The whole product in this process (sim + PGlite/Postgres + workers + API + dashboard), for integration and browser
 * tests: the same composition `npm run demo` runs.
 */
export { ensureWebBuild, type Stack, type StackOptions, startStack, waitForFinishedRun } from '@payerguard/cli/stack';
