/**
 * How deep and how large a parsed JSON value is, measured without recursion: a hostile value nested thousands deep
 * would overflow the stack of any recursive walk (JSON.stringify included) before it could be refused.
 */
export function jsonShape(value: unknown, stopAfterNodes = Number.POSITIVE_INFINITY): { depth: number; nodes: number } {
  let depth = 0;
  let nodes = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length && nodes <= stopAfterNodes) {
    const [v, d] = stack.pop()!;
    nodes++;
    if (d > depth) depth = d;
    if (typeof v === 'object' && v !== null)
      for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return { depth, nodes };
}

/** An IAM policy document is a few levels deep (AWS caps managed policies at 6,144 characters). */
export const POLICY_DOCUMENT_MAX_DEPTH = 16;
export const POLICY_DOCUMENT_MAX_NODES = 20_000;
