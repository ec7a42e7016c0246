import { type Db, getDb, type Role, requireDatabaseUrl } from '@portcullis/db';
import { CONFIG_CHANNEL, type ConfigChange } from '@portcullis/db/notify';
import { TRPCError } from '@trpc/server';
import pg from 'pg';
import { expect } from 'vitest';
import { allowUpstreamHosts, seedOrg, seedUser, uniq } from '../../../../../test/fixtures';
import { createCaller } from '../root';
import { createTrpcContext } from '../trpc';

/** Test harness for the portal's procedures: callers acting as a given user against the run's database. */
export const db: Db = getDb();

// The SSRF guard refuses loopback and private upstreams unless allow-listed; the procedures' tests save
// APIs pointing at 127.0.0.1 and (api.int.test.ts) at 10.0.0.1:8080.
await allowUpstreamHosts(db, ['127.0.0.1', '10.0.0.1:8080']);

export const callerFor = (userId: string | null) => createCaller(createTrpcContext({ db, userId }));

export { seedUser, uniq };

/** A fresh user who is `role` in a fresh org, with a caller acting as them. */
export async function member(role: Role = 'OWNER', label = 'member') {
  const user = await seedUser(db, label);
  const org = await seedOrg(db, user.id, role, label);
  return { user, org, caller: callerFor(user.id) };
}

export async function addMember(orgId: string, role: Role, label = 'teammate') {
  const user = await seedUser(db, label);
  await db.membership.create({ data: { orgId, userId: user.id, role } });
  return { user, caller: callerFor(user.id) };
}

export async function expectTrpcError(
  promise: Promise<unknown>,
  code: TRPCError['code'],
): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  return error as TRPCError;
}

/** A provider org with a PUBLISHED, PUBLIC API and one plan, created through the procedures. */
export async function providerWithPlan(
  opts: { requiresApproval?: boolean; monthlyQuota?: number | null } = {},
) {
  const provider = await member('OWNER', 'prov');
  const api = await provider.caller.api.create({
    orgSlug: provider.org.slug,
    name: 'Weather',
    slug: uniq('weather'),
    upstreamUrl: 'http://127.0.0.1:9/upstream',
    visibility: 'PUBLIC',
    description: 'Forecasts',
  });
  const plan = await provider.caller.plan.create({
    orgSlug: provider.org.slug,
    apiId: api.id,
    name: 'Basic',
    rateLimit: 10,
    rateLimitWindowSeconds: 60,
    monthlyQuota: opts.monthlyQuota === undefined ? 1000 : opts.monthlyQuota,
    requiresApproval: opts.requiresApproval ?? true,
  });
  await provider.caller.api.publish({ orgSlug: provider.org.slug, apiId: api.id });
  return { ...provider, api, plan };
}

/** A consumer org (OWNER) with one app created through the procedures. */
export async function consumerWithApp() {
  const consumer = await member('OWNER', 'cons');
  const app = await consumer.caller.app.create({ orgSlug: consumer.org.slug, name: uniq('app') });
  return { ...consumer, app };
}

/** Listens on the config channel; `next(match)` resolves with the first matching change. */
export async function listenConfig() {
  const client = new pg.Client({ connectionString: requireDatabaseUrl() });
  await client.connect();
  const seen: ConfigChange[] = [];
  const waiters: Array<() => void> = [];
  client.on('notification', (msg) => {
    if (msg.channel !== CONFIG_CHANNEL || !msg.payload) return;
    seen.push(JSON.parse(msg.payload) as ConfigChange);
    for (const wake of waiters.splice(0)) wake();
  });
  await client.query(`LISTEN ${CONFIG_CHANNEL}`);
  return {
    seen,
    async next(match: (change: ConfigChange) => boolean, timeoutMs = 3000): Promise<ConfigChange> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = seen.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`no matching NOTIFY within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => client.end(),
  };
}
