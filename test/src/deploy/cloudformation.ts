import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CollectionTag, parse, type ScalarTag } from 'yaml';

/**
 * Just enough CloudFormation for the deploy kit's tests: read a template with its short-form intrinsic tags, check
 * that every reference in it names something defined, and render it (parameters substituted, intrinsic functions
 * resolved) the way CloudFormation would for one account and region.
 */

export const DEPLOY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy');
export const KIT = [
  'collector-role.yaml',
  'permissions-boundary.yaml',
  'root-monitor-spoke.yaml',
  'root-monitor-hub.yaml',
] as const;

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, Parameter>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Condition?: string }>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

export interface Parameter {
  Type: 'String' | 'Number' | 'CommaDelimitedList';
  Default?: string | number;
  AllowedPattern?: string;
  MinLength?: number;
  MaxLength?: number;
  MinValue?: number;
  MaxValue?: number;
  NoEcho?: boolean;
  Description?: string;
}

// Short forms: !Ref X -> {Ref: X}, !GetAtt A.B -> {Fn::GetAtt: [A, B]}, !Sub/!Join/... -> {Fn::Sub: ...}.
const FN = ['Sub', 'Join', 'Split', 'Select', 'If', 'Not', 'Equals', 'And', 'Or', 'FindInMap', 'Base64', 'GetAZs'];
const tags: (ScalarTag | CollectionTag)[] = [
  { tag: '!Ref', identify: () => false, resolve: (v: string) => ({ Ref: v }) } as ScalarTag,
  {
    tag: '!GetAtt',
    identify: () => false,
    resolve: (v: string) => {
      const dot = v.indexOf('.');
      return { 'Fn::GetAtt': [v.slice(0, dot), v.slice(dot + 1)] };
    },
  } as ScalarTag,
  { tag: '!Condition', identify: () => false, resolve: (v: string) => ({ Condition: v }) } as ScalarTag,
  ...FN.flatMap((name) => [
    { tag: `!${name}`, identify: () => false, resolve: (v: unknown) => ({ [`Fn::${name}`]: v }) } as ScalarTag,
    {
      tag: `!${name}`,
      collection: 'seq',
      identify: () => false,
      resolve: (v: { toJSON(): unknown }) => ({ [`Fn::${name}`]: v.toJSON() }),
    } as unknown as CollectionTag,
    {
      tag: `!${name}`,
      collection: 'map',
      identify: () => false,
      resolve: (v: { toJSON(): unknown }) => ({ [`Fn::${name}`]: v.toJSON() }),
    } as unknown as CollectionTag,
  ]),
];

export const templatePath = (name: string) => path.join(DEPLOY_DIR, name);

export function loadTemplate(name: string): Template {
  return parse(readFileSync(templatePath(name), 'utf8'), { customTags: tags }) as Template;
}

export const PSEUDO = [
  'AWS::AccountId',
  'AWS::Region',
  'AWS::Partition',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::URLSuffix',
  'AWS::NoValue',
  'AWS::NotificationARNs',
];

/** The attributes our resource types have and the properties CloudFormation requires of them. */
export const RESOURCE_TYPES: Record<string, { required: string[]; attributes: string[] }> = {
  'AWS::IAM::Role': { required: ['AssumeRolePolicyDocument'], attributes: ['Arn', 'RoleId'] },
  'AWS::IAM::ManagedPolicy': { required: ['PolicyDocument'], attributes: ['PolicyArn', 'PolicyId'] },
  'AWS::Events::Rule': { required: [], attributes: ['Arn'] },
  'AWS::Events::EventBus': { required: ['Name'], attributes: ['Arn', 'Name', 'Policy'] },
  'AWS::Events::EventBusPolicy': { required: ['StatementId'], attributes: [] },
  'AWS::SQS::Queue': { required: [], attributes: ['Arn', 'QueueName', 'QueueUrl'] },
  'AWS::SQS::QueuePolicy': { required: ['PolicyDocument', 'Queues'], attributes: ['Id'] },
};

const subVars = (s: string) => [...s.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => m[1] as string);

/**
 * Every problem a deploy would stop on before creating anything: unknown resource types, missing required
 * properties, a Ref/GetAtt/Sub/If naming nothing defined, an output without a value, a default its own pattern rejects.
 */
export function structuralProblems(t: Template): string[] {
  const problems: string[] = [];
  if (t.AWSTemplateFormatVersion !== '2010-09-09') problems.push('AWSTemplateFormatVersion must be 2010-09-09');
  const params = t.Parameters ?? {};
  const resources = t.Resources ?? {};
  const conditions = t.Conditions ?? {};
  if (Object.keys(resources).length === 0) problems.push('no Resources');
  for (const [name, p] of Object.entries(params)) {
    if (!['String', 'Number', 'CommaDelimitedList'].includes(p.Type))
      problems.push(`${name}: parameter type ${p.Type}`);
    const defaults =
      p.Default === undefined ? [] : String(p.Default).split(p.Type === 'CommaDelimitedList' ? ',' : /$^/);
    for (const d of p.AllowedPattern && p.Type !== 'Number' ? defaults : [])
      if (!new RegExp(p.AllowedPattern as string).test(d))
        problems.push(`${name}: default ${d} does not match its AllowedPattern`);
  }
  for (const [name, r] of Object.entries(resources)) {
    const type = RESOURCE_TYPES[r.Type];
    if (!type) {
      problems.push(`${name}: unknown resource type ${r.Type}`);
      continue;
    }
    for (const req of type.required)
      if (r.Properties?.[req] === undefined) problems.push(`${name}: ${r.Type} needs ${req}`);
    if (r.Condition && !(r.Condition in conditions)) problems.push(`${name}: condition ${r.Condition} not defined`);
  }
  const check = (v: unknown, where: string): void => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) check(x, `${where}[${i}]`);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if ('Ref' in o) {
      const ref = o.Ref as string;
      if (!(ref in params) && !(ref in resources) && !PSEUDO.includes(ref)) problems.push(`${where}: !Ref ${ref}`);
      return;
    }
    if ('Fn::GetAtt' in o) {
      const [res, attr] = o['Fn::GetAtt'] as [string, string];
      const r = resources[res];
      if (!r) problems.push(`${where}: !GetAtt ${res}: no such resource`);
      else if (!RESOURCE_TYPES[r.Type]?.attributes.includes(attr))
        problems.push(`${where}: !GetAtt ${res}.${attr}: ${r.Type} has no such attribute`);
      return;
    }
    if ('Fn::Sub' in o) {
      const arg = o['Fn::Sub'];
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
      const own = new Set(Object.keys(vars));
      for (const name of subVars(text)) {
        const [base, attr] = name.split('.');
        if (own.has(name)) continue;
        if (attr !== undefined) check({ 'Fn::GetAtt': [base, attr] }, where);
        else check({ Ref: name }, where);
      }
      for (const [k, x] of Object.entries(vars)) check(x, `${where}.${k}`);
      return;
    }
    if ('Fn::If' in o) {
      const [cond, a, b] = o['Fn::If'] as [string, unknown, unknown];
      if (!(cond in conditions)) problems.push(`${where}: !If ${cond}: condition not defined`);
      check(a, where);
      check(b, where);
      return;
    }
    if ('Condition' in o && typeof o.Condition === 'string' && Object.keys(o).length === 1) {
      if (!(o.Condition in conditions)) problems.push(`${where}: Condition ${o.Condition} not defined`);
      return;
    }
    for (const [k, x] of Object.entries(o)) check(x, `${where}.${k}`);
  };
  check(resources, 'Resources');
  check(conditions, 'Conditions');
  for (const [name, out] of Object.entries(t.Outputs ?? {})) {
    if (out.Value === undefined) problems.push(`Outputs.${name}: no Value`);
    check(out.Value, `Outputs.${name}`);
  }
  return problems;
}

export interface RenderContext {
  parameters: Record<string, string>;
  accountId: string;
  region: string;
  stackName?: string;
}

/** Thrown when a template cannot be rendered: CloudFormation would refuse it in the same place. */
export class RenderError extends Error {}

/**
 * Resolves a template for one account and region: parameter values (defaults, patterns and list splitting as
 * CloudFormation applies them), pseudo parameters, conditions, and Ref/GetAtt of resources as the values
 * CloudFormation would hand out (role ARN from its name and path, queue URL from its logical id ...).
 */
export function render(t: Template, ctx: RenderContext): Template {
  const params: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(t.Parameters ?? {})) {
    const given = ctx.parameters[name];
    const v = given ?? (p.Default === undefined ? undefined : String(p.Default));
    if (v === undefined) throw new RenderError(`parameter ${name} has no value and no default`);
    // On a CommaDelimitedList, CloudFormation applies AllowedPattern to each value.
    const values = p.Type === 'CommaDelimitedList' ? v.split(',').map((x) => x.trim()) : [v];
    for (const x of p.AllowedPattern && p.Type !== 'Number' ? values : [])
      if (!new RegExp(p.AllowedPattern as string).test(x))
        throw new RenderError(`parameter ${name}: ${JSON.stringify(x)} does not match ${p.AllowedPattern}`);
    if (p.MinLength !== undefined && v.length < p.MinLength) throw new RenderError(`parameter ${name} too short`);
    if (p.MaxLength !== undefined && v.length > p.MaxLength) throw new RenderError(`parameter ${name} too long`);
    params[name] = p.Type === 'CommaDelimitedList' ? values : p.Type === 'Number' ? Number(v) : v;
  }
  for (const k of Object.keys(ctx.parameters))
    if (!(k in (t.Parameters ?? {}))) throw new RenderError(`parameter ${k} is not declared`);
  const pseudo: Record<string, string> = {
    'AWS::AccountId': ctx.accountId,
    'AWS::Region': ctx.region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': ctx.stackName ?? 'stack',
    'AWS::StackId': `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName ?? 'stack'}/id`,
  };
  const NO_VALUE = Symbol('NoValue');
  const conditions: Record<string, boolean> = {};

  const refOf = (name: string): unknown => {
    if (name in params) return params[name];
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in pseudo) return pseudo[name];
    const r = t.Resources[name];
    if (!r) throw new RenderError(`!Ref ${name}: not defined`);
    return physical(name, r, 'Ref');
  };
  const physical = (logical: string, r: Template['Resources'][string], attr: string): string => {
    const props = (r.Properties ? resolve(r.Properties) : {}) as Record<string, unknown>;
    const a = ctx.accountId;
    switch (r.Type) {
      case 'AWS::IAM::Role': {
        const name = (props.RoleName as string | undefined) ?? `${ctx.stackName ?? 'stack'}-${logical}-GENERATED`;
        return attr === 'Arn' ? `arn:aws:iam::${a}:role${(props.Path as string) ?? '/'}${name}` : name;
      }
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${a}:policy${(props.Path as string) ?? '/'}${props.ManagedPolicyName ?? logical}`;
      case 'AWS::Events::EventBus':
        return attr === 'Arn' ? `arn:aws:events:${ctx.region}:${a}:event-bus/${props.Name}` : String(props.Name);
      case 'AWS::Events::Rule': {
        const name = (props.Name as string | undefined) ?? `${logical}-GENERATED`;
        const bus = props.EventBusName as string | undefined;
        const path = bus && bus !== 'default' ? `${bus.split('/').pop()}/${name}` : name;
        return attr === 'Arn' ? `arn:aws:events:${ctx.region}:${a}:rule/${path}` : name;
      }
      case 'AWS::SQS::Queue': {
        const name = `${ctx.stackName ?? 'stack'}-${logical}-GENERATED`;
        if (attr === 'Arn') return `arn:aws:sqs:${ctx.region}:${a}:${name}`;
        if (attr === 'QueueName') return name;
        return `https://sqs.${ctx.region}.amazonaws.com/${a}/${name}`;
      }
      default:
        return `${logical}-GENERATED`;
    }
  };
  const str = (v: unknown, where: string): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    throw new RenderError(`${where}: expected a string, got ${JSON.stringify(v)}`);
  };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve).filter((x) => x !== NO_VALUE);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const k = keys[0] as string;
      const arg = o[k];
      switch (k) {
        case 'Ref':
          return refOf(arg as string);
        case 'Fn::GetAtt': {
          const [res, attr] = arg as [string, string];
          const r = t.Resources[res];
          if (!r) throw new RenderError(`!GetAtt ${res}: not defined`);
          return physical(res, r, attr);
        }
        case 'Fn::Sub': {
          const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
          const local = Object.fromEntries(Object.entries(vars).map(([n, x]) => [n, resolve(x)]));
          return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
            if (name in local) return str(local[name], `\${${name}}`);
            const [base, attr] = name.split('.');
            if (attr !== undefined) return str(resolve({ 'Fn::GetAtt': [base, attr] }), `\${${name}}`);
            return str(refOf(name), `\${${name}}`);
          });
        }
        case 'Fn::Join': {
          const [sep, list] = arg as [string, unknown];
          const items = resolve(list);
          if (!Array.isArray(items)) throw new RenderError('!Join needs a list');
          return items.map((x) => str(x, '!Join item')).join(sep);
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, unknown];
          return str(resolve(text), '!Split').split(sep);
        }
        case 'Fn::Select': {
          const [i, list] = arg as [string | number, unknown];
          const items = resolve(list) as unknown[];
          const x = items[Number(i)];
          if (x === undefined) throw new RenderError(`!Select ${i}: out of range`);
          return x;
        }
        case 'Fn::If': {
          const [cond, a, b] = arg as [string, unknown, unknown];
          if (!(cond in conditions)) throw new RenderError(`!If ${cond}: condition not defined`);
          return conditions[cond] ? resolve(a) : resolve(b);
        }
        case 'Fn::Equals': {
          const [a, b] = arg as [unknown, unknown];
          return JSON.stringify(resolve(a)) === JSON.stringify(resolve(b));
        }
        case 'Fn::Not':
          return !(resolve((arg as unknown[])[0]) as boolean);
        case 'Fn::And':
          return (arg as unknown[]).every((x) => resolve(x) === true);
        case 'Fn::Or':
          return (arg as unknown[]).some((x) => resolve(x) === true);
        case 'Condition':
          if (typeof arg === 'string' && arg in conditions) return conditions[arg];
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      const r = resolve(x);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  };

  for (const [name, c] of Object.entries(t.Conditions ?? {})) conditions[name] = resolve(c) === true;
  const resources: Template['Resources'] = {};
  for (const [name, r] of Object.entries(t.Resources)) {
    if (r.Condition && !conditions[r.Condition]) continue;
    resources[name] = {
      ...r,
      ...(r.Properties ? { Properties: resolve(r.Properties) as Record<string, unknown> } : {}),
    };
  }
  const outputs: Template['Outputs'] = {};
  for (const [name, o] of Object.entries(t.Outputs ?? {})) outputs[name] = { ...o, Value: resolve(o.Value) };
  return { ...t, Resources: resources, Outputs: outputs };
}
