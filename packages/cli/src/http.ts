import type { Login } from './config.ts';

/** A change as the portal reports it (the services' ConfigChange). */
export interface RemoteChange {
  action: string;
  kind: string;
  name: string;
  fields: Array<{ field: string; before: unknown; after: unknown }>;
}

export interface ApplyResponse {
  changes: RemoteChange[];
  applied: boolean;
  missingCredentials?: Array<{ name: string; path: string }>;
}

/** An application/problem+json answer (RFC 9457) or a transport failure, printed as is. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly fields: Record<string, string>,
  ) {
    super(message);
  }
}

async function problem(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as {
      title?: unknown;
      detail?: unknown;
      code?: unknown;
      errors?: unknown;
    };
    const title = typeof body.title === 'string' ? body.title : response.statusText;
    const detail = typeof body.detail === 'string' && body.detail !== title ? `: ${body.detail}` : '';
    const fields =
      body.errors && typeof body.errors === 'object'
        ? Object.fromEntries(Object.entries(body.errors).map(([k, v]) => [k, String(v)]))
        : {};
    return new ApiError(
      `${title}${detail}`,
      response.status,
      typeof body.code === 'string' ? body.code : undefined,
      fields,
    );
  } catch {
    return new ApiError(
      `HTTP ${response.status} ${response.statusText}`.trim(),
      response.status,
      undefined,
      {},
    );
  }
}

async function call<T>(login: Login, path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${login.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${login.token}`,
        accept: 'application/json, application/problem+json',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    const cause =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new ApiError(`Cannot reach ${login.url}: ${cause}`, 0, undefined, {});
  }
  if (!response.ok) throw await problem(response);
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(`${login.url}${path} did not answer with JSON`, response.status, undefined, {});
  }
}

export const fetchConfig = (login: Login) => call<unknown>(login, '/api/v1/config');

export const postApply = (login: Login, body: { document: unknown; dryRun: boolean; prune: boolean }) =>
  call<ApplyResponse>(login, '/api/v1/config/apply', { method: 'POST', body: JSON.stringify(body) });
