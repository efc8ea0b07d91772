import { GRADES } from '@payerguard/core/engine/scoring';
import { type Static, type TSchema, type TUnsafe, Type } from 'typebox';

/**
 * Building blocks of the response schemas. Every named shape carries a `$id`: the app registers it once
 * (schemas/index.ts), routes and other shapes point at it with `ref()`, and OpenAPI lists it under components, so
 * the web client's generated types have one name per shape.
 *
 * Fastify serializes answers with these schemas (fast-json-stringify): a property a schema does not list is DROPPED
 * and values are coerced to the declared type. Open-ended objects (evidence, counts, tags) must say so (`Open`).
 */

/** A pointer to a named shape (one component in OpenAPI), carrying that shape's static type for nested use. */
export function ref<T extends TSchema>(s: T) {
  const id = (s as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new Error('ref(): the schema has no $id, so it cannot be shared');
  return Type.Unsafe<Static<T>>(Type.Ref(id));
}

export const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
export const DateTime = (options: { description?: string } = {}) => Type.String({ format: 'date-time', ...options });
/** An object whose keys are not fixed (evidence blobs, counts maps, templates): serialized as is. */
export const Open = (description?: string) =>
  Type.Record(Type.String(), Type.Unknown(), description ? { description } : {});

export const Grade = Type.Enum([...GRADES], {
  $id: 'Grade',
  description: 'A >= 90, B >= 80, C >= 70, D >= 60, F below (docs/scoring.md)',
});
export const Severity = Type.Union(
  [Type.Literal('critical'), Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')],
  { $id: 'Severity' },
);
export const FindingStatus = Type.Union(
  [
    Type.Literal('pass'),
    Type.Literal('fail'),
    Type.Literal('warn'),
    Type.Literal('unknown'),
    Type.Literal('suppressed'),
  ],
  { $id: 'FindingStatus' },
);
export const Role = Type.Union([Type.Literal('admin'), Type.Literal('analyst'), Type.Literal('partner_viewer')], {
  $id: 'Role',
});

/** The one error shape: the app's error handler and not-found handler answer with it (errors.ts `errorBody`). */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'the HTTP reason phrase, e.g. "Not Found"' }),
    message: Type.String({ description: 'what went wrong, safe to show' }),
    problems: Type.Optional(
      Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() }), {
        description: 'registry import only: each problem found, nothing was imported',
      }),
    ),
  },
  { $id: 'Error' },
);

export const Ok = Type.Object({ ok: Type.Boolean() }, { $id: 'Ok' });

/**
 * A route's answers: its success shapes plus the error shape for every 4xx and 5xx (authentication, authorization,
 * validation, not found, conflict, rate limit, database down all come out of the one error handler).
 * Handlers return database rows as they are (plain strings where the schema names the allowed values, Dates the
 * serializer writes as ISO strings), so the handler's return type is not tied to the schema: the contract test
 * (server/src/contract.test.ts) checks every real answer against it instead.
 */
export function responses(
  ok: Record<number, TSchema | { description: string; content: Record<string, unknown> }>,
): Record<string, TUnsafe<unknown>> {
  const all: Record<string, unknown> = { ...ok, '4xx': ref(ErrorBody), '5xx': ref(ErrorBody) };
  return Object.fromEntries(Object.entries(all).map(([status, s]) => [status, Type.Unsafe<unknown>(s as TSchema)]));
}

export const commonSchemas = [Grade, Severity, FindingStatus, Role, ErrorBody, Ok];
