import { randomUUID } from 'node:crypto';
import { generateApiKey } from '@portcullis/core/keys';
import type { AllowedHostEntryInput } from '@portcullis/core/schemas';
import type { Db, Role } from '@portcullis/db';
import { listAllowedHosts } from '@portcullis/services/verbs/allow-list';
import { hashSecretToken } from '@portcullis/services/verbs/members';
import { seedUser, uniq } from '../../../../../../test/fixtures';

/** Roles of the target tenant's members that the matrix acts as, least privileged first. */
export const ROLES_LOW_TO_HIGH = ['VIEWER', 'DEVELOPER', 'ADMIN', 'OWNER'] as const satisfies Role[];

interface TenantOrg {
  id: string;
  slug: string;
  /** one member per role: the actors */
  members: Record<Role, string>;
  /** a second OWNER, so an owner may leave or be demoted */
  coOwnerId: string;
  /** a VIEWER nobody acts as: the target of remove / changeRole */
  bystanderId: string;
}

/**
 * One complete tenant (a provider with a published API, plan, changelog, share, audit row, request log,
 * pending invitation and an invoice) and its customer (a consumer org with an app, an ACTIVE and a
 * PENDING subscription, a key and usage), plus an outsider: OWNER of an unrelated org.
 */
export interface TenantWorld {
  provider: TenantOrg & {
    apiId: string;
    apiSlug: string;
    planId: string;
    changelogEntryId: string;
    auditId: string;
    requestLogId: string;
    invitationId: string;
    invitationToken: string;
    invitationEmail: string;
    credentialId: string;
    aiPriceId: string;
    aiCallId: string;
    /** a management API token (VIEWER, apis:read) made by the OWNER */
    apiTokenId: string;
  };
  consumer: TenantOrg & {
    appId: string;
    subscriptionId: string;
    pendingSubscriptionId: string;
    keyId: string;
    invoiceId: string;
    notificationId: string;
  };
  outsider: { userId: string; orgId: string; orgSlug: string };
  platformAdminId: string;
  /** the SSRF allow-list as it was: what a platform admin's settings.update writes back */
  allowedHosts: AllowedHostEntryInput[];
}

/** Ids of the tenant's non-public records: none may show up in an answer to someone outside it. */
export function privateIds(world: TenantWorld): string[] {
  const { provider: p, consumer: c } = world;
  return [
    c.id,
    c.appId,
    c.subscriptionId,
    c.pendingSubscriptionId,
    c.keyId,
    c.invoiceId,
    c.notificationId,
    p.auditId,
    p.requestLogId,
    p.invitationId,
    p.credentialId,
    p.aiCallId,
    p.apiTokenId,
  ];
}

async function seedTenantOrg(db: Db, label: string): Promise<TenantOrg> {
  const slug = uniq(label);
  const org = await db.organization.create({
    data: { slug, name: slug, allowAnonymousBrowse: true },
  });
  const members = {} as Record<Role, string>;
  for (const role of ROLES_LOW_TO_HIGH) {
    members[role] = (await seedUser(db, `${label}-${role.toLowerCase()}`)).id;
  }
  const coOwnerId = (await seedUser(db, `${label}-coowner`)).id;
  const bystanderId = (await seedUser(db, `${label}-bystander`)).id;
  await db.membership.createMany({
    data: [
      ...ROLES_LOW_TO_HIGH.map((role) => ({ orgId: org.id, userId: members[role], role })),
      { orgId: org.id, userId: coOwnerId, role: 'OWNER' as const },
      { orgId: org.id, userId: bystanderId, role: 'VIEWER' as const },
    ],
  });
  return { id: org.id, slug, members, coOwnerId, bystanderId };
}

async function currentAllowedHosts(db: Db): Promise<AllowedHostEntryInput[]> {
  return (await listAllowedHosts(db)).map((entry) => ({
    host: entry.host,
    allTenants: entry.allTenants,
    orgSlugs: entry.orgs.map((org) => org.slug),
  }));
}

const SPEC = {
  openapi: '3.0.3',
  info: { title: 'Weather', version: 'v1' },
  paths: { '/forecast': { get: { responses: { '200': { description: 'ok' } } } } },
};

export async function seedTenantWorld(db: Db): Promise<TenantWorld> {
  const providerOrg = await seedTenantOrg(db, 'tprov');
  const consumerOrg = await seedTenantOrg(db, 'tcons');

  const api = await db.api.create({
    data: {
      orgId: providerOrg.id,
      slug: uniq('tapi'),
      name: 'Weather',
      upstreamUrl: 'http://127.0.0.1:9/upstream',
      status: 'PUBLISHED',
      visibility: 'PUBLIC',
      publishedAt: new Date(),
      openapiSpec: SPEC,
      specVersions: { create: { version: 'v1', spec: SPEC } },
      changelog: { create: { version: 'v1', title: 'First release' } },
      shares: { create: { orgId: consumerOrg.id } },
    },
    include: { changelog: true },
  });
  const plan = await db.plan.create({
    data: { apiId: api.id, name: 'Basic', rateLimit: 10, monthlyQuota: 1000, requiresApproval: true },
  });
  const app = await db.app.create({ data: { orgId: consumerOrg.id, name: uniq('tapp') } });
  const pendingApp = await db.app.create({ data: { orgId: consumerOrg.id, name: uniq('tapp') } });
  const subscription = await db.subscription.create({
    data: { appId: app.id, planId: plan.id, status: 'ACTIVE', decidedAt: new Date() },
  });
  const pending = await db.subscription.create({
    data: { appId: pendingApp.id, planId: plan.id, status: 'PENDING' },
  });
  const key = generateApiKey();
  const apiKey = await db.apiKey.create({
    data: { appId: app.id, name: 'tkey', hash: key.hash, prefix: key.prefix, last4: key.last4 },
  });
  const periodStart = new Date(Date.UTC(2024, 0, 1));
  const invoice = await db.invoice.create({
    data: {
      number: uniq('INV'),
      customerOrgId: consumerOrg.id,
      providerOrgId: providerOrg.id,
      subscriptionId: subscription.id,
      periodStart,
      periodEnd: new Date(Date.UTC(2024, 1, 1)),
      status: 'FINALIZED',
      currency: 'usd',
      subtotalMinor: 200n,
      totalMinor: 200n,
      finalizedAt: new Date(),
      lines: {
        create: {
          subscriptionId: subscription.id,
          description: 'Basic',
          quantity: 100n,
          unitPrice: '0.02',
          amountMinor: 200n,
        },
      },
    },
  });
  const audit = await db.auditLog.create({
    data: {
      orgId: providerOrg.id,
      actorId: providerOrg.members.OWNER,
      action: 'api.create',
      targetType: 'Api',
      targetId: api.id,
    },
  });
  const requestLog = await db.requestLog.create({
    data: {
      id: `sec-${randomUUID()}`,
      orgId: providerOrg.id,
      apiId: api.id,
      appId: app.id,
      keyId: apiKey.id,
      subscriptionId: subscription.id,
      method: 'GET',
      path: '/forecast',
      status: 200,
      latencyMs: 3,
    },
  });
  const invitationToken = `sec-${randomUUID()}-${randomUUID()}`;
  const invitation = await db.invitation.create({
    data: {
      orgId: providerOrg.id,
      email: `${uniq('invitee')}@example.test`,
      role: 'VIEWER',
      tokenHash: hashSecretToken(invitationToken),
      expiresAt: new Date(Date.now() + 86_400_000),
      invitedById: providerOrg.members.OWNER,
    },
  });
  const notification = await db.notification.create({
    data: { userId: consumerOrg.members.OWNER, orgId: consumerOrg.id, kind: 'test', title: 'Hello' },
  });
  // AI gateway: a provider credential (the secret is never decrypted by the procedures the matrix calls),
  // a model price and one logged AI call.
  const credential = await db.providerCredential.create({
    data: {
      id: `cred-${randomUUID()}`,
      orgId: providerOrg.id,
      name: 'OpenAI',
      provider: 'openai',
      secretEncrypted: 'sealed',
      secretHint: '…abcd',
    },
  });
  const aiPrice = await db.aiModelPrice.create({
    data: {
      orgId: providerOrg.id,
      provider: 'openai',
      model: 'gpt-4o-mini',
      inputPerMillion: '0.15',
      outputPerMillion: '0.6',
    },
  });
  const aiCall = await db.aiCallLog.create({
    data: {
      id: `aicall-${randomUUID()}`,
      at: new Date(),
      orgId: providerOrg.id,
      apiId: api.id,
      subscriptionId: subscription.id,
      appId: app.id,
      keyId: apiKey.id,
      requestId: randomUUID(),
      surface: 'openai.chat',
      model: 'gpt-4o-mini',
      status: 200,
      latencyMs: 12,
    },
  });
  const managementToken = generateApiKey();
  const apiToken = await db.apiToken.create({
    data: {
      orgId: providerOrg.id,
      name: 'ci',
      hash: managementToken.hash,
      prefix: 'pcm_sec0',
      last4: managementToken.last4,
      role: 'VIEWER',
      scopes: ['apis:read'],
      createdById: providerOrg.members.OWNER,
    },
  });
  const outsider = await seedUser(db, 'outsider');
  const outsiderOrg = await db.organization.create({
    data: {
      slug: uniq('outsider'),
      name: 'Outsider',
      memberships: { create: { userId: outsider.id, role: 'OWNER' } },
    },
  });
  const platformAdmin = await db.user.create({
    data: { email: `${uniq('operator')}@example.test`, name: 'operator', isPlatformAdmin: true },
  });

  return {
    provider: {
      ...providerOrg,
      apiId: api.id,
      apiSlug: api.slug,
      planId: plan.id,
      changelogEntryId: api.changelog[0]!.id,
      auditId: audit.id,
      requestLogId: requestLog.id,
      invitationId: invitation.id,
      invitationToken,
      invitationEmail: invitation.email,
      credentialId: credential.id,
      aiPriceId: aiPrice.id,
      aiCallId: aiCall.id,
      apiTokenId: apiToken.id,
    },
    consumer: {
      ...consumerOrg,
      appId: app.id,
      subscriptionId: subscription.id,
      pendingSubscriptionId: pending.id,
      keyId: apiKey.id,
      invoiceId: invoice.id,
      notificationId: notification.id,
    },
    outsider: { userId: outsider.id, orgId: outsiderOrg.id, orgSlug: outsiderOrg.slug },
    platformAdminId: platformAdmin.id,
    allowedHosts: await currentAllowedHosts(db),
  };
}
