import { ensureDatabase, migrate } from '@portcullis/db/migrate';
import { dropDatabase } from '@portcullis/db/migrate-scratch';

/** Creates a fresh database for this test run and applies the migrations to it. */
let created: { databaseUrl: string } | undefined;

export async function setup(): Promise<void> {
  const base = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/portcullis_test';
  const url = new URL(base);
  const name = `${url.pathname.slice(1)}_${process.pid}`;
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await dropDatabase(databaseUrl);
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  process.env.DATABASE_URL = databaseUrl;
  process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  // No test may reach the real Stripe: tests that talk to Stripe start the local fake and point here.
  process.env.STRIPE_API_BASE ??= 'http://127.0.0.1:9';
  process.env.PORTCULLIS_ENCRYPTION_KEY ??= 'cG9ydGN1bGxpcy10ZXN0LWVuY3J5cHRpb24ta2V5ISE=';
  created = { databaseUrl };
}

export async function teardown(): Promise<void> {
  if (created && !process.env.KEEP_TEST_DATABASE) await dropDatabase(created.databaseUrl);
}
