import { createHash } from 'node:crypto';

/**
 * What policy analysis remembers between payers, and why each reuse gives the decision a full simulation would.
 *
 * Cost used to grow with principals x checks x payers: every principal of every payer had every probe of the
 * catalogue simulated against its identity policies and its boundary, and the boundary (the distributor's, a long
 * document) was most of the work. Two memos, all per thread (each evaluation thread of workers/src/evaluation has
 * its own; nothing is shared between threads or processes), both bounded LRUs so memory stays flat over any estate:
 *
 * 1. Boundary verdicts (engine.ts `PolicySet.allows`). IAM allows a request only if the identity policies allow it,
 *    no policy denies it and the boundary allows it (there are no resource, session or organization policies here).
 *    The boundary's own analysis reads only the request's action, resource and the context keys its conditions and
 *    policy variables name, never who asks. So a request the boundary alone denies is denied for every principal
 *    carrying that boundary, whatever its identity policies: decided once per boundary document (content hash) for
 *    the whole estate, and only requests the boundary lets through are simulated in full. Used only where the caller
 *    needs the yes/no (analyzePayer); the full simulation still names the deciding statements where they are shown.
 * 2. Whole decisions (engine.ts `PolicySet.simulate`): a decision, deciding statements included, is a pure function
 *    of (policy documents, request), so with the payer's account id replaced by a token it serves every payer with
 *    the same documents.
 *
 * Sharing across payers needs the account id to be a plain token: not when a pattern could match part of the
 * account's digits ("arn:aws:iam::2000*") or a numeric condition could compare it; then the request is decided
 * without the cross-payer memo.
 */

/** A Map that forgets its least recently used entries beyond `limit`. */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(readonly limit: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as string);
  }
  get size(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
}

export const ACCOUNT_TOKEN = '<payer-account>';
export const ACCOUNT_IN_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/;
/** A wildcard next to account digits, or a numeric operator that could compare an account id. */
const ACCOUNT_NOT_A_TOKEN = /\d[*?]|[*?]\d|<payer-account>[*?]|[*?]<payer-account>|"Numeric/i;

export const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** `text` with `account` as a token, or undefined when the account id cannot be read as a token in it. */
export function normalizeAccount(text: string, account: string): string | undefined {
  const normalized = text.replaceAll(account, ACCOUNT_TOKEN);
  return ACCOUNT_NOT_A_TOKEN.test(normalized) ? undefined : normalized;
}

// Entries are a few hundred bytes: at these limits a thread's memos stay under ~50 MB whatever the estate. What
// repeats across payers (the catalogue's requests on the boundary, the governance resources) stays recently used;
// what names one payer's own principals ages out.
/** Whole decisions in normalized JSON (see 2 above). */
export const crossPayerDecisions = new Lru<string>(50_000);
/** Boundary-only results: true when the boundary lets the request through (see 1 above). */
export const boundaryVerdicts = new Lru<boolean>(50_000);

let memoHits = { boundaryDenied: 0, boundaryAnalyses: 0, fullSimulations: 0 };
/** What the memos saved so far in this thread (for the bench). */
export const memoStats = () => ({
  ...memoHits,
  boundaryVerdicts: boundaryVerdicts.size,
  crossPayerDecisions: crossPayerDecisions.size,
});

/** Forgets everything (a fresh evaluation thread; benches and tests). */
export function resetDecisionMemo(): void {
  crossPayerDecisions.clear();
  boundaryVerdicts.clear();
  memoHits = { boundaryDenied: 0, boundaryAnalyses: 0, fullSimulations: 0 };
}

export function count(what: keyof typeof memoHits): void {
  memoHits[what]++;
}
