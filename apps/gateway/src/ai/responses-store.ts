import { withItemIds } from '@portcullis/ai/surfaces/responses/items';
import type { SqlRunner } from '@portcullis/db/pg';

/*
 * Stored responses of the /v1/responses surface (AiResponse), in Postgres through the gateway's pg pool.
 * Every read and delete is scoped to the org, API and app the caller was admitted under: another app —
 * even of the same tenant — naming an id finds nothing. Expired rows read as absent; the sweep deletes
 * them in bounded batches, at most once a minute, piggybacked on writes (no timer to stop). Every item
 * of a stored conversation has an id (given when written; rows written before items had ids get the
 * same derived ones on every read), which the input item list pages by.
 */

const RESPONSE_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** how much of a conversation one stored response may hold (serialized items) */
export const MAX_STORED_CONVERSATION_BYTES = 1024 * 1024;
/** how many responses one previous_response_id chain may grow to */
export const MAX_CONVERSATION_TURNS = 100;
const SWEEP_EVERY_MS = 60_000;
/**
 * How long an answer waits for its row: past it the client gets the answer marked as not stored rather
 * than waiting out a hung database (the pool's own query timeout is far longer).
 */
const SAVE_WAIT_MS = 3_000;
const SWEEP_BATCH = 500;

/*
 * jsonb refuses the NUL character (\u0000) that JSON and a conversation's text may hold. Stored strings
 * and keys escape it reversibly with a private-use mark: MARK + '0' is NUL, MARK + MARK is MARK itself.
 */
const MARK = '\ue000';
const ESCAPED = /\ue000([0\ue000])/g;

const needsEscape = (text: string): boolean => text.includes('\u0000') || text.includes(MARK);
const escapeText = (text: string): string =>
  needsEscape(text) ? text.replaceAll(MARK, MARK + MARK).replaceAll('\u0000', `${MARK}0`) : text;
const unescapeText = (text: string): string =>
  text.replace(ESCAPED, (_, char: string) => (char === '0' ? '\u0000' : MARK));

/** JSON.stringify replacer: strings and object keys with NUL (and the mark) escaped. */
function jsonbSafe(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'string') return escapeText(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  if (!Object.keys(value).some(needsEscape)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [escapeText(key), item]));
}

/** A stored value as it was before jsonbSafe. */
function restored(value: unknown): unknown {
  if (typeof value === 'string') return value.includes(MARK) ? unescapeText(value) : value;
  if (Array.isArray(value)) return value.map(restored);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [unescapeText(key), restored(item)]));
}

/** Who may see a stored response: the app, on the API, of the provider tenant it was created for. */
export interface ResponseScope {
  orgId: string;
  apiId: string;
  appId: string;
}

export interface StoredResponse {
  turns: number;
  items: unknown;
  response: unknown;
}

export class AiResponseStore {
  private lastSweep = 0;

  constructor(
    private readonly sql: SqlRunner,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Stores a response; resolves once the row is written (so its id is usable when the client has it),
   * rejects when it was not written within SAVE_WAIT_MS.
   */
  async save(
    id: string,
    scope: ResponseScope,
    row: { turns: number; items: readonly unknown[]; response: unknown },
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('storing the response timed out')), SAVE_WAIT_MS);
    });
    try {
      await Promise.race([this.insert(id, scope, row), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async insert(
    id: string,
    scope: ResponseScope,
    row: { turns: number; items: readonly unknown[]; response: unknown },
  ): Promise<void> {
    const now = this.now();
    await this.sql.execute(
      `INSERT INTO "AiResponse" (id, "orgId", "apiId", "appId", "createdAt", "expiresAt", turns, items, response)
       VALUES ($1, $2, $3, $4, $5::timestamp(3), $6::timestamp(3), $7, $8::jsonb, $9::jsonb)`,
      [
        id,
        scope.orgId,
        scope.apiId,
        scope.appId,
        new Date(now).toISOString(),
        new Date(now + RESPONSE_TTL_MS).toISOString(),
        row.turns,
        JSON.stringify(withItemIds(row.items, id), jsonbSafe),
        JSON.stringify(row.response, jsonbSafe),
      ],
    );
    if (now - this.lastSweep >= SWEEP_EVERY_MS) {
      this.lastSweep = now;
      void this.sweep().catch(this.onError);
    }
  }

  /** The stored response, if it exists for this scope and has not expired. */
  async load(id: string, scope: ResponseScope): Promise<StoredResponse | null> {
    const rows = await this.sql.rows<StoredResponse>(
      `SELECT turns, items, response FROM "AiResponse"
       WHERE id = $1 AND "orgId" = $2 AND "apiId" = $3 AND "appId" = $4 AND "expiresAt" > $5::timestamp(3)`,
      [id, scope.orgId, scope.apiId, scope.appId, new Date(this.now()).toISOString()],
    );
    const row = rows[0];
    if (!row) return null;
    const items = restored(row.items);
    return {
      turns: row.turns,
      items: Array.isArray(items) ? withItemIds(items, id) : items,
      response: restored(row.response),
    };
  }

  /** Deletes the response; false when there was none (for this scope). */
  async delete(id: string, scope: ResponseScope): Promise<boolean> {
    const deleted = await this.sql.execute(
      `DELETE FROM "AiResponse"
       WHERE id = $1 AND "orgId" = $2 AND "apiId" = $3 AND "appId" = $4 AND "expiresAt" > $5::timestamp(3)`,
      [id, scope.orgId, scope.apiId, scope.appId, new Date(this.now()).toISOString()],
    );
    return deleted > 0;
  }

  /** Deletes up to one batch of expired responses; resolves to how many. */
  sweep(): Promise<number> {
    return this.sql.execute(
      `DELETE FROM "AiResponse" WHERE id IN (
         SELECT id FROM "AiResponse" WHERE "expiresAt" <= $1::timestamp(3) LIMIT ${SWEEP_BATCH})`,
      [new Date(this.now()).toISOString()],
    );
  }
}
