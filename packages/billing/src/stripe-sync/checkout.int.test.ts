import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PlanPricingInput } from '@portcullis/core/billing/pricing';
import { DomainError } from '@portcullis/core/errors';
import { approveSubscription, listPendingForProvider } from '@portcullis/services/verbs/subscription';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg, seedProviderWithApi, seedUser, uniq } from '../../../../test/fixtures.ts';
import { createStripeClient } from '../stripe/client.ts';
import { subscribeNewAppWithPayment, subscribeWithPayment, subscriptionCheckoutLink } from './checkout.ts';
import { connectStripe } from './connect.ts';
import { stripeWebhookPath } from './credentials.ts';
import {
  encryptionKey,
  type FakeStripe,
  listenConfig,
  startFakeStripe,
  stripeKey,
  testDb,
} from './test/world.ts';
import { handleStripeWebhook } from './webhooks.ts';

const db = testDb();
let fake: FakeStripe;
let receiver: Server;
let receiverUrl: string;

/** The portal's webhook route in miniature: the exact body and signature go to handleStripeWebhook. */
beforeAll(async () => {
  fake = await startFakeStripe();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const orgId = (req.url ?? '').split('/').pop() ?? '';
      handleStripeWebhook(db, {
        orgId,
        rawBody: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['stripe-signature'] as string | undefined,
        now: new Date(),
        encryptionKey,
        apiBase: fake.url,
      }).then(
        (result) =>
          res
            .writeHead(result.status, { 'Content-Type': 'application/json' })
            .end(JSON.stringify(result.body)),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await fake.close();
  await new Promise((resolve) => receiver.close(resolve));
});

const access = () => ({ encryptionKey, apiBase: fake.url });
const urls = {
  successUrl: 'https://portal.test/o/team/billing?checkout=done',
  cancelUrl: 'https://portal.test/o/team/billing?checkout=cancelled',
};
const PAID: PlanPricingInput = {
  model: 'included_overage',
  currency: 'usd',
  flatFee: '29.00',
  includedUnits: 10_000,
  overageUnitPrice: '0.001',
  quotaMode: 'bill_overage',
  trialDays: 14,
};

/**
 * A provider whose Stripe account has a webhook endpoint made through the official client (its signing
 * secret is what the provider pastes), and a consumer org with an app and no subscription yet.
 */
async function paidWorld(options: { pricing?: PlanPricingInput; requiresApproval?: boolean } = {}) {
  const provider = await seedProviderWithApi(db, {
    upstreamUrl: 'http://127.0.0.1:9/',
    requiresApproval: options.requiresApproval ?? false,
  });
  await db.plan.update({
    where: { id: provider.plan.id },
    data: { pricing: (options.pricing ?? PAID) as object },
  });
  const secretKey = stripeKey('paid');
  fake.state.addAccount(secretKey);
  const stripe = createStripeClient({ secretKey, apiBase: fake.url });
  const endpoint = await stripe.webhookEndpoints.create({
    url: `${receiverUrl}${stripeWebhookPath(provider.org.id)}`,
    enabled_events: ['*'],
  });
  await connectStripe(
    { db, actor: { id: provider.owner.id }, org: { id: provider.org.id } },
    { secretKey, webhookSecret: endpoint.secret!, graceDays: 3 },
    encryptionKey,
    { apiBase: fake.url },
  );
  const dev = await seedUser(db, 'payer');
  const org = await seedOrg(db, dev.id, 'OWNER', 'payer');
  const app = await db.app.create({ data: { orgId: org.id, name: uniq('app') } });
  const ctx = { db, actor: { id: dev.id }, org: { id: org.id } };
  return { provider, stripe, endpoint, account: fake.state.accounts.get(secretKey)!, dev, org, app, ctx };
}

/** What the browser does on the fake's hosted Checkout page: submit the card form. */
async function submitCard(checkoutUrl: string, card: string) {
  const response = await fetch(checkoutUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ card, expiry: '12 / 34', cvc: '123', name: 'Pat Payer' }),
    redirect: 'manual',
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const subscriptionRow = (id: string) =>
  db.subscription.findUniqueOrThrow({
    where: { id },
    select: { status: true, pendingReason: true, paymentMethodError: true, decidedAt: true },
  });

describe('subscribing to a paid plan of a provider billing through Stripe', () => {
  it('waits for a payment method: a setup-mode Checkout Session for the subscription, no provider request yet', async () => {
    const world = await paidWorld();
    const created = await subscribeWithPayment(
      world.ctx,
      { appId: world.app.id, planId: world.provider.plan.id, ...urls },
      access(),
    );
    expect(created).toMatchObject({ status: 'PENDING', pendingReason: 'payment_method' });
    expect(created.checkoutUrl).toMatch(new RegExp(`^${fake.url}/c/pay/cs_test_`));
    const session = fake.state.checkoutSessions.get(created.checkoutUrl!.split('/').pop()!);
    const customer = await db.stripeCustomer.findUniqueOrThrow({
      where: {
        providerOrgId_customerOrgId: { providerOrgId: world.provider.org.id, customerOrgId: world.org.id },
      },
    });
    expect(session).toMatchObject({
      mode: 'setup',
      currency: 'usd',
      customer: customer.stripeCustomerId,
      success_url: urls.successUrl,
      cancel_url: urls.cancelUrl,
      metadata: { portcullis_subscription_id: created.id },
    });
    expect(fake.state.setupIntents.get(session!.setup_intent as string)?.metadata).toMatchObject({
      portcullis_subscription_id: created.id,
    });
    const providerCtx = { db, actor: { id: world.provider.owner.id }, org: { id: world.provider.org.id } };
    expect(await listPendingForProvider(providerCtx)).toEqual([]);
    const approve = await rejection(approveSubscription(providerCtx, { subscriptionId: created.id }));
    expect(approve.code).toBe('CONFLICT');
    expect(approve.message).toMatch(/payment method/);
  });

  it('the succeeding test card activates it through the webhook and makes the card the default', async () => {
    const world = await paidWorld();
    const config = await listenConfig();
    try {
      const created = await subscribeWithPayment(
        world.ctx,
        { appId: world.app.id, planId: world.provider.plan.id, ...urls },
        access(),
      );
      const page = await fetch(created.checkoutUrl!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Card number');

      const done = await submitCard(created.checkoutUrl!, '4242 4242 4242 4242');
      expect(done).toMatchObject({ status: 303, location: urls.successUrl });
      const row = await subscriptionRow(created.id);
      expect(row).toMatchObject({ status: 'ACTIVE', pendingReason: null, paymentMethodError: null });
      expect(row.decidedAt).not.toBeNull();
      await config.subscription(created.id);
      const customer = await db.stripeCustomer.findFirstOrThrow({
        where: { providerOrgId: world.provider.org.id, customerOrgId: world.org.id },
      });
      expect(customer.hasPaymentMethod).toBe(true);
      const stripeCustomer = await world.stripe.customers.retrieve(customer.stripeCustomerId);
      expect(stripeCustomer).toMatchObject({
        invoice_settings: { default_payment_method: expect.stringMatching(/^pm_/) },
      });
      const deliveries = fake.state.webhookDeliveries.filter((d) => d.url.endsWith(world.provider.org.id));
      expect(deliveries.map((d) => [d.type, d.status])).toEqual([
        ['payment_method.attached', 200],
        ['setup_intent.succeeded', 200],
        ['checkout.session.completed', 200],
      ]);
      // The provider hears of the new subscriber once it is one.
      const started = await db.notification.findFirst({
        where: { userId: world.provider.owner.id, kind: 'subscription.started' },
      });
      expect(started?.title).toContain(world.app.name);
    } finally {
      await config.close();
    }
  });

  it('a declined card leaves it waiting with Stripe’s message; trying again with a good card activates it', async () => {
    const world = await paidWorld();
    const created = await subscribeWithPayment(
      world.ctx,
      { appId: world.app.id, planId: world.provider.plan.id, ...urls },
      access(),
    );
    const declined = await submitCard(created.checkoutUrl!, '4000 0000 0000 0002');
    expect(declined.status).toBe(200);
    expect(declined.html).toContain('Your card was declined.');
    expect(await subscriptionRow(created.id)).toMatchObject({
      status: 'PENDING',
      pendingReason: 'payment_method',
      paymentMethodError: 'Your card was declined.',
    });
    expect(
      (await db.stripeCustomer.findFirstOrThrow({ where: { customerOrgId: world.org.id } })).hasPaymentMethod,
    ).toBe(false);

    const again = await subscriptionCheckoutLink(
      world.ctx,
      { subscriptionId: created.id, ...urls },
      access(),
    );
    expect(again.url).not.toBe(created.checkoutUrl);
    expect((await submitCard(again.url, '4242424242424242')).status).toBe(303);
    expect(await subscriptionRow(created.id)).toMatchObject({
      status: 'ACTIVE',
      pendingReason: null,
      paymentMethodError: null,
    });
    const twice = await rejection(
      subscriptionCheckoutLink(world.ctx, { subscriptionId: created.id, ...urls }, access()),
    );
    expect(twice.code).toBe('CONFLICT');
  });

  it('a plan that needs approval goes to the provider once the card is saved', async () => {
    const world = await paidWorld({ requiresApproval: true });
    const created = await subscribeWithPayment(
      world.ctx,
      { appId: world.app.id, planId: world.provider.plan.id, ...urls },
      access(),
    );
    await submitCard(created.checkoutUrl!, '4242424242424242');
    expect(await subscriptionRow(created.id)).toMatchObject({ status: 'PENDING', pendingReason: null });
    const providerCtx = { db, actor: { id: world.provider.owner.id }, org: { id: world.provider.org.id } };
    expect((await listPendingForProvider(providerCtx)).map((row) => row.id)).toEqual([created.id]);
    await approveSubscription(providerCtx, { subscriptionId: created.id });
    expect((await subscriptionRow(created.id)).status).toBe('ACTIVE');
  });

  it('replayed deliveries change nothing, and a late decline does not touch an active subscription', async () => {
    const world = await paidWorld();
    const created = await subscribeWithPayment(
      world.ctx,
      { appId: world.app.id, planId: world.provider.plan.id, ...urls },
      access(),
    );
    await submitCard(created.checkoutUrl!, '4242424242424242');
    const before = await subscriptionRow(created.id);
    const audits = await db.auditLog.count({ where: { targetId: created.id } });
    const { account, endpoint } = world;
    for (const event of [...fake.state.events.values()].filter(
      (e) => fake.state.ownerOf.get(e.id) === account,
    )) {
      const body = JSON.stringify(event);
      const signature = world.stripe.webhooks.generateTestHeaderString({
        payload: body,
        secret: endpoint.secret as string,
      });
      const replay = await handleStripeWebhook(db, {
        orgId: world.provider.org.id,
        rawBody: body,
        signature,
        now: new Date(),
        encryptionKey,
        apiBase: fake.url,
      });
      expect(replay).toEqual({ status: 200, body: { received: true, duplicate: true } });
    }
    expect(await subscriptionRow(created.id)).toEqual(before);
    expect(await db.auditLog.count({ where: { targetId: created.id } })).toBe(audits);

    // A decline delivered late (an earlier attempt) finds nothing waiting.
    const customer = await db.stripeCustomer.findFirstOrThrow({ where: { customerOrgId: world.org.id } });
    const late = {
      id: `evt_late${uniq('x').replace(/[^A-Za-z0-9]/g, '')}`,
      object: 'event',
      created: Math.floor(Date.now() / 1000) - 60,
      livemode: false,
      type: 'setup_intent.setup_failed',
      data: {
        object: {
          id: 'seti_late',
          object: 'setup_intent',
          customer: customer.stripeCustomerId,
          last_setup_error: { message: 'Your card was declined.' },
        },
      },
    };
    const body = JSON.stringify(late);
    const result = await handleStripeWebhook(db, {
      orgId: world.provider.org.id,
      rawBody: body,
      signature: world.stripe.webhooks.generateTestHeaderString({
        payload: body,
        secret: endpoint.secret as string,
      }),
      now: new Date(),
      encryptionKey,
      apiBase: fake.url,
    });
    expect(result.body).toMatchObject({ kind: 'payment_method_refused', waitingSubscriptions: 0 });
    expect(await subscriptionRow(created.id)).toEqual(before);
  });

  it('free plans, and consumers that already gave the provider a payment method, are active at once', async () => {
    const free = await paidWorld({ pricing: { model: 'free' } });
    const freeSub = await subscribeWithPayment(
      free.ctx,
      { appId: free.app.id, planId: free.provider.plan.id, ...urls },
      access(),
    );
    expect(freeSub).toMatchObject({ status: 'ACTIVE', pendingReason: null });
    expect(freeSub.checkoutUrl).toBeUndefined();

    const world = await paidWorld();
    const first = await subscribeWithPayment(
      world.ctx,
      { appId: world.app.id, planId: world.provider.plan.id, ...urls },
      access(),
    );
    await submitCard(first.checkoutUrl!, '4242424242424242');
    const otherApp = await db.app.create({ data: { orgId: world.org.id, name: uniq('app') } });
    const second = await subscribeWithPayment(
      world.ctx,
      { appId: otherApp.id, planId: world.provider.plan.id, ...urls },
      access(),
    );
    expect(second).toMatchObject({ status: 'ACTIVE', pendingReason: null });
    expect(second.checkoutUrl).toBeUndefined();
  });

  it('subscribing with a new app (in a new personal org) waits for a payment method too', async () => {
    const world = await paidWorld();
    const newcomer = await seedUser(db, 'newcomer');
    const made = await subscribeNewAppWithPayment(
      { db, actor: { id: newcomer.id } },
      {
        planId: world.provider.plan.id,
        appName: 'First app',
        successUrl: 'https://portal.test/o/{org}/billing?checkout=done',
        cancelUrl: 'https://portal.test/o/{org}/billing?checkout=cancelled',
      },
      ['OWNER', 'ADMIN', 'DEVELOPER'],
      access(),
    );
    expect(made.subscription).toMatchObject({ status: 'PENDING', pendingReason: 'payment_method' });
    expect(await subscriptionRow(made.subscription.id)).toMatchObject({
      status: 'PENDING',
      pendingReason: 'payment_method',
    });
    const session = fake.state.checkoutSessions.get(made.subscription.checkoutUrl!.split('/').pop()!);
    expect(session).toMatchObject({
      mode: 'setup',
      success_url: `https://portal.test/o/${made.org.slug}/billing?checkout=done`,
      cancel_url: `https://portal.test/o/${made.org.slug}/billing?checkout=cancelled`,
      metadata: { portcullis_subscription_id: made.subscription.id },
    });
    const done = await submitCard(made.subscription.checkoutUrl!, '4242 4242 4242 4242');
    expect(done.status).toBe(303);
    expect(await subscriptionRow(made.subscription.id)).toMatchObject({
      status: 'ACTIVE',
      pendingReason: null,
    });
  });

  it('another org cannot open Checkout for the subscription (NOT_FOUND)', async () => {
    const world = await paidWorld();
    const created = await subscribeWithPayment(
      world.ctx,
      { appId: world.app.id, planId: world.provider.plan.id, ...urls },
      access(),
    );
    const stranger = await seedUser(db, 'stranger');
    const strangerOrg = await seedOrg(db, stranger.id, 'OWNER', 'stranger');
    const error = await rejection(
      subscriptionCheckoutLink(
        { db, actor: { id: stranger.id }, org: { id: strangerOrg.id } },
        { subscriptionId: created.id, ...urls },
        access(),
      ),
    );
    expect(error.code).toBe('NOT_FOUND');
    const badUrl = await subscriptionCheckoutLink(
      world.ctx,
      { subscriptionId: created.id, successUrl: 'javascript:alert(1)', cancelUrl: urls.cancelUrl },
      access(),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(badUrl).toBeInstanceOf(Error);
  });
});
