import { randomBytes } from 'node:crypto';
import { generateApiKey } from '@portcullis/core/keys';
import type { Db, Role } from '@portcullis/db';
import { readMailBody } from '@portcullis/services/notify-users';

/** Seeds an isolated world for one test: a provider org with an API + plan, a consumer org with an app. */
export const uniq = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

/** A user whose address is confirmed (as every established account's is). */
export async function seedUser(db: Db, label = 'user') {
  return db.user.create({
    data: { email: `${uniq(label)}@example.test`, name: label, emailVerified: new Date() },
  });
}

/**
 * The readable text of the newest mail to `to`: mails carrying links are stored encrypted under `key`
 * (and read as null once their body was dropped).
 */
export async function newestMailText(db: Db, to: string, key: Buffer): Promise<string> {
  const mail = await db.mail.findFirstOrThrow({
    where: { to },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  const body = readMailBody(mail, key);
  if (!body) throw new Error(`the newest mail to ${to} has no readable body`);
  return body.text;
}

export async function seedOrg(db: Db, ownerId: string, role: Role = 'OWNER', label = 'org') {
  const slug = uniq(label);
  return db.organization.create({
    data: { slug, name: slug, memberships: { create: { userId: ownerId, role } } },
  });
}

export interface SeedApiOptions {
  upstreamUrl: string;
  rateLimit?: number | null;
  rateLimitWindowSeconds?: number;
  monthlyQuota?: number | null;
  requiresApproval?: boolean;
}

/**
 * Adds hosts to the SSRF allow-list (UpstreamAllowedHost), keeping what is there: for the organizations
 * `orgIds`, or without them for every tenant. Atomic statements, so concurrent seeds cannot drop each
 * other's entries.
 */
export async function allowUpstreamHosts(db: Db, hosts: string[], orgIds?: string[]): Promise<void> {
  const allTenants = orgIds === undefined;
  for (const host of hosts) {
    const [row] = await db.$queryRaw<Array<{ id: string }>>`
      INSERT INTO "UpstreamAllowedHost" ("id", "host", "allTenants", "updatedAt")
      VALUES (${`uah_${randomBytes(12).toString('hex')}`}, ${host.toLowerCase()}, ${allTenants}, now())
      ON CONFLICT ("host") DO UPDATE SET
        "allTenants" = "UpstreamAllowedHost"."allTenants" OR EXCLUDED."allTenants", "updatedAt" = now()
      RETURNING "id"`;
    for (const orgId of orgIds ?? []) {
      await db.$executeRaw`
        INSERT INTO "UpstreamAllowedHostOrg" ("hostId", "orgId") VALUES (${row?.id}, ${orgId})
        ON CONFLICT DO NOTHING`;
    }
  }
}

export async function seedProviderWithApi(db: Db, opts: SeedApiOptions) {
  // Test upstreams listen on loopback, which the SSRF guard refuses unless allow-listed.
  await allowUpstreamHosts(db, ['127.0.0.1']);
  const owner = await seedUser(db, 'provider');
  const org = await seedOrg(db, owner.id, 'OWNER', 'prov');
  const api = await db.api.create({
    data: {
      orgId: org.id,
      slug: uniq('api'),
      name: 'Test API',
      upstreamUrl: opts.upstreamUrl,
      status: 'PUBLISHED',
      visibility: 'PUBLIC',
      publishedAt: new Date(),
    },
  });
  const plan = await db.plan.create({
    data: {
      apiId: api.id,
      name: 'Basic',
      rateLimit: opts.rateLimit === undefined ? 100 : opts.rateLimit,
      rateLimitWindowSeconds: opts.rateLimitWindowSeconds ?? 60,
      monthlyQuota: opts.monthlyQuota === undefined ? 1000 : opts.monthlyQuota,
      requiresApproval: opts.requiresApproval ?? true,
    },
  });
  return { owner, org, api, plan };
}

export async function seedConsumerWithKey(
  db: Db,
  planId: string,
  status: 'ACTIVE' | 'PENDING' | 'SUSPENDED' = 'ACTIVE',
) {
  const dev = await seedUser(db, 'consumer');
  const org = await seedOrg(db, dev.id, 'OWNER', 'cons');
  const app = await db.app.create({ data: { orgId: org.id, name: uniq('app') } });
  const subscription = await db.subscription.create({ data: { appId: app.id, planId, status } });
  const key = generateApiKey();
  const apiKey = await db.apiKey.create({
    data: { appId: app.id, name: 'test', hash: key.hash, prefix: key.prefix, last4: key.last4 },
  });
  return { dev, org, app, subscription, apiKey, plaintext: key.plaintext };
}
