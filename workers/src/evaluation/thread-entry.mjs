// Entry of an evaluation thread. Plain JavaScript so it starts the same way whoever spawned it (tsx, vitest, the
// CLI): it registers tsx for this thread, then loads the TypeScript thread body.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
