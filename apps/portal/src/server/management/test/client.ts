import type { Db, Role } from '@portcullis/db';
import { API_TOKEN_SCOPES, type ApiTokenScope, createApiToken } from '@portcullis/services/verbs/api-tokens';
import { uniq } from '../../../../../../test/fixtures';
import { managementHandler } from '../handler';

/** Calls the management API's route handler directly with Request objects (no server, no build). */
export function managementClient(db: Db) {
  const handle = managementHandler({ db });
  return async function call(
    token: string | null,
    method: string,
    path: string,
    opts: {
      query?: Record<string, string>;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    const url = new URL(`http://portal.test/api/v1${path}`);
    for (const [name, value] of Object.entries(opts.query ?? {})) url.searchParams.set(name, value);
    const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const response = await handle(
      new Request(url, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...opts.headers,
        },
        ...(body === undefined ? {} : { body }),
      }),
    );
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return {
      status: response.status,
      headers: response.headers,
      json: json as Record<string, unknown>,
      text,
    };
  };
}

/** A token of `orgId` made through the verb by `creatorId` (a member with at least `role`). */
export async function tokenFor(
  db: Db,
  orgId: string,
  creatorId: string,
  role: Role,
  scopes: readonly ApiTokenScope[] = API_TOKEN_SCOPES,
  expiresAt: Date | null = null,
) {
  const created = await createApiToken(
    { db, actor: { id: creatorId }, org: { id: orgId } },
    { name: uniq('token'), role, scopes: [...scopes], expiresAt },
  );
  return { id: created.id, token: created.token };
}
