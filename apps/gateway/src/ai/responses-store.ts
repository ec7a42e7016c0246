import type { SqlRunner } from '@portcullis/db/pg';

/*
 * Stored responses of the /v1/responses surface (AiResponse), in Postgres through the gateway's pg pool.
 * Every read and delete is scoped to the org, API and app the caller was admitted under: another app —
 * even of the same tenant — naming an id finds nothing. Expired rows read as absent; the sweep deletes
 * them in bounded batches, at most once a minute, piggybacked on writes (no timer to stop).
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
        JSON.stringify(row.items),
        JSON.stringify(row.response),
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
    return rows[0] ?? null;
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
