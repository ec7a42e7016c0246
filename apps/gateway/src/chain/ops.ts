import type { ServerResponse } from 'node:http';
import type { SqlRunner } from '@portcullis/db/pg';

/** An answer to a probe path. */
export interface OpsAnswer {
  status: number;
  body: { status: string };
}

const READY_TIMEOUT_MS = 2_000;

/**
 * Step 1 — probes: `/healthz` (the process answers) and `/readyz` (Postgres answers within 2 s);
 * null for every other path. `/metrics` and `/readyz` while draining are answered in front of the chain
 * (ops/endpoints.ts).
 */
export async function opsAnswer(sql: SqlRunner, pathname: string): Promise<OpsAnswer | null> {
  if (pathname === '/healthz') return { status: 200, body: { status: 'ok' } };
  if (pathname !== '/readyz') return null;
  const ready = await databaseReachable(sql);
  return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'database unreachable' } };
}

export function sendOpsAnswer(res: ServerResponse, answer: OpsAnswer): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

async function databaseReachable(sql: SqlRunner): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([sql.rows('SELECT 1').then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
