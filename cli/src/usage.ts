/** Thrown by commands for bad flags: main prints the message alone and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
