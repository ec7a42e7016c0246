import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateApiKey, hashApiKey } from '@portcullis/core/keys';
import type { Db } from '@portcullis/db';
import { hashPassword } from '@portcullis/services/password';
import { DEMO_OPENAPI } from './demo-openapi.ts';

export const DEMO = {
  email: 'demo@portcullis.dev',
  password: 'portcullis-demo-2026',
  orgSlug: 'demo',
  apiSlug: 'echo',
  keyName: 'demo key',
} as const;

export interface DemoWorld {
  email: string;
  password: string;
  orgSlug: string;
  apiSlug: string;
  apiKey: string;
}

/**
 * Idempotent demo data: a user, an org, a published Echo API (with its OpenAPI document) with a Starter plan (10 requests/minute,
 * 1,000/month), an app subscribed to it and a key. The key's plaintext is kept in the data dir so
 * every start can print a working curl line (keys are otherwise only stored hashed).
 */
export async function seedDemo(db: Db, opts: { upstreamUrl: string; dataDir: string }): Promise<DemoWorld> {
  // The demo operator is a platform admin (the one who may allow upstream hosts). Its address is
  // marked confirmed: nobody can follow a link to demo@portcullis.dev, and the seed is the operator's act.
  const user = await db.user.upsert({
    where: { email: DEMO.email },
    create: {
      email: DEMO.email,
      name: 'Demo Owner',
      passwordHash: await hashPassword(DEMO.password),
      isPlatformAdmin: true,
      emailVerified: new Date(),
    },
    update: {},
  });
  const org = await db.organization.upsert({
    where: { slug: DEMO.orgSlug },
    create: {
      slug: DEMO.orgSlug,
      name: 'Demo Org',
      memberships: { create: { userId: user.id, role: 'OWNER' } },
    },
    update: {},
  });
  await allowUpstreamHost(db, new URL(opts.upstreamUrl).host, org.id);
  const api = await db.api.upsert({
    where: { orgId_slug: { orgId: org.id, slug: DEMO.apiSlug } },
    create: {
      orgId: org.id,
      slug: DEMO.apiSlug,
      name: 'Echo',
      description: 'Answers every request with a JSON description of it. GET /bytes/{n} streams n bytes.',
      upstreamUrl: opts.upstreamUrl,
      status: 'PUBLISHED',
      visibility: 'PUBLIC',
      publishedAt: new Date(),
      tags: ['demo'],
      openapiSpec: DEMO_OPENAPI,
      // its operations are also MCP tools at {gateway}/demo/echo/mcp (and, for the demo key, at /mcp)
      mcp: { enabled: true, tools: ['hello', 'getItem', 'postMessage'] },
    },
    update: { upstreamUrl: opts.upstreamUrl },
  });
  // A demo API seeded before it had a document gets one; a document edited since is kept.
  if (api.openapiSpec === null) {
    await db.api.update({ where: { id: api.id }, data: { openapiSpec: DEMO_OPENAPI } });
  }
  let plan = await db.plan.findFirst({ where: { apiId: api.id, name: 'Starter' } });
  plan ??= await db.plan.create({
    data: { apiId: api.id, name: 'Starter', rateLimit: 10, rateLimitWindowSeconds: 60, monthlyQuota: 1000 },
  });
  const app = await db.app.upsert({
    where: { orgId_name: { orgId: org.id, name: 'Demo App' } },
    create: { orgId: org.id, name: 'Demo App', description: 'Consumes the Echo API' },
    update: {},
  });
  const subscription = await db.subscription.findFirst({ where: { appId: app.id, planId: plan.id } });
  if (!subscription) {
    await db.subscription.create({
      data: { appId: app.id, planId: plan.id, status: 'ACTIVE', decidedAt: new Date(), decidedById: user.id },
    });
  }

  // A demo user seeded before addresses were confirmed gets its address confirmed too.
  if (!user.emailVerified) {
    await db.user.update({ where: { id: user.id }, data: { emailVerified: new Date() } });
  }

  await mkdir(opts.dataDir, { recursive: true });
  const keyFile = join(opts.dataDir, 'demo-key');
  let plaintext = existsSync(keyFile) ? (await readFile(keyFile, 'utf8')).trim() : '';
  const stored = plaintext ? await db.apiKey.findUnique({ where: { hash: hashApiKey(plaintext) } }) : null;
  if (!stored || stored.revokedAt) {
    const key = generateApiKey();
    await db.apiKey.create({
      data: {
        appId: app.id,
        name: DEMO.keyName,
        hash: key.hash,
        prefix: key.prefix,
        last4: key.last4,
        createdById: user.id,
      },
    });
    plaintext = key.plaintext;
    await writeFile(keyFile, `${plaintext}\n`, { mode: 0o600 });
  }
  return {
    email: DEMO.email,
    password: DEMO.password,
    orgSlug: DEMO.orgSlug,
    apiSlug: DEMO.apiSlug,
    apiKey: plaintext,
  };
}

/**
 * Allow-lists host[:port] for one organization's upstreams (the demo echo upstream lives on loopback, which
 * the SSRF guard refuses otherwise): only the demo org may reach it, not every tenant.
 */
async function allowUpstreamHost(db: Db, host: string, orgId: string): Promise<void> {
  const entry = await db.upstreamAllowedHost.upsert({
    where: { host },
    create: { host },
    update: {},
    select: { id: true },
  });
  await db.upstreamAllowedHostOrg.upsert({
    where: { hostId_orgId: { hostId: entry.id, orgId } },
    create: { hostId: entry.id, orgId },
    update: {},
  });
}
