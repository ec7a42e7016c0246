import { badRequest, DomainError } from '@portcullis/core/errors';
import { ZodError } from 'zod';
import type { OrgCtx } from '../context.ts';
import { sameValue } from './schema.ts';

/** The permissions (apps/portal/src/server/permissions.ts) a change needs; the caller checks them. */
export type ConfigPermission =
  | 'api.write'
  | 'plan.write'
  | 'policy.write'
  | 'api.lifecycle'
  | 'billing.manage';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface ConfigChange {
  action: 'create' | 'update' | 'archive' | 'retire' | 'delete';
  kind: 'org' | 'aiPrice' | 'api' | 'plan' | 'promptVersion';
  /** `slug` for APIs, `slug/plan name` for plans, `slug/number` for prompt versions, `provider/model` for prices */
  name: string;
  fields: FieldChange[];
  permissions: ConfigPermission[];
}

/** A change and how to make it; `path` locates it in the document for error messages. */
export interface Step {
  change: ConfigChange;
  path: string;
  run: (ctx: OrgCtx) => Promise<void>;
}

/** The fields among `keys` whose values differ between `before` and `after`. */
export function changedFields<T extends object>(before: T, after: T, keys: readonly (keyof T & string)[]) {
  return keys
    .filter((key) => !sameValue(before[key], after[key]))
    .map((key): FieldChange => ({ field: key, before: before[key], after: after[key] }));
}

export const hasAny = (fields: FieldChange[], names: readonly string[]) =>
  fields.some((f) => names.includes(f.field));

/** Field errors of a domain verb or a schema, re-keyed under `path` so they point into the document. */
export function atPath(error: unknown, path: string, what: string): unknown {
  const prefix = (field: string) => (field === 'form' || field === '' ? path : `${path}.${field}`);
  if (error instanceof DomainError) {
    const fields = Object.fromEntries(Object.entries(error.fields ?? {}).map(([k, v]) => [prefix(k), v]));
    return new DomainError(error.code, `${what}: ${error.message}`, {
      ...fields,
      ...(Object.keys(fields).length === 0 ? { [path]: error.message } : {}),
    });
  }
  if (error instanceof ZodError) {
    const fields: Record<string, string> = {};
    for (const issue of error.issues) fields[prefix(issue.path.map(String).join('.'))] ??= issue.message;
    return badRequest(`${what}: some fields are not valid`, fields);
  }
  return error;
}
