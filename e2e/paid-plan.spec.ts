import type { Page } from '@playwright/test';
import { createStripeClient } from '../packages/billing/src/stripe/client.ts';
import { type FakeStripe, startFakeStripe } from '../test/fakes/stripe/server.ts';
import { expect, test } from './fixtures.ts';
import {
  allowEchoFor,
  createApp,
  createKey,
  createOrg,
  ECHO_URL,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  GATEWAY_URL,
  signUp,
  unique,
} from './helpers.ts';

// playwright.config.ts points the platform's STRIPE_API_BASE at this port; the fake listens there.
const STRIPE_PORT = Number(process.env.E2E_STRIPE_PORT ?? 8199);
const SECRET_KEY = `sk_test_paidplan${Date.now()}`;

let fake: FakeStripe;
test.beforeAll(async () => {
  fake = await startFakeStripe({ port: STRIPE_PORT, secretKeys: [SECRET_KEY] });
});
test.afterAll(async () => {
  await fake?.close();
});

/** A public API with one instant (no approval) plan: $29 a month, 1,000 requests, then $0.002, 14-day trial. */
async function publishPaidApi(page: Page, orgSlug: string): Promise<string> {
  const apiSlug = unique('weather');
  await allowEchoFor(page, orgSlug);
  await page.goto(`/o/${orgSlug}/apis/new`);
  await page.getByLabel('Name').fill('Weather');
  await page.getByLabel('Slug').fill(apiSlug);
  await page.getByLabel('Upstream URL').fill(ECHO_URL);
  await page.getByLabel('Description').fill('Weather, echoed.');
  await page.getByLabel('Visibility').selectOption('PUBLIC');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${orgSlug}/apis/${apiSlug}$`));
  await page.getByLabel('Plan name').fill('Pro');
  await page.getByLabel('Rate limit (requests)').fill('100');
  await page.getByLabel('Window (seconds)').fill('60');
  await page.getByLabel('Monthly quota').fill('5000');
  await page.getByLabel('Requires approval').uncheck();
  await page.getByRole('button', { name: 'Add plan' }).click();
  await expect(page.getByRole('list', { name: 'Plans' }).getByText('Pro')).toBeVisible();
  await page.getByRole('button', { name: 'Edit pricing of Pro' }).click();
  await page.getByLabel('Pricing model').selectOption('included_overage');
  await page.getByLabel('Fee per period').fill('29.00');
  await page.getByLabel('Included requests').fill('1000');
  await page.getByLabel('Price per extra request').fill('0.002');
  await page.getByLabel('At the monthly quota').selectOption('bill_overage');
  await page.getByLabel('Free trial (days)').fill('14');
  await page.getByRole('button', { name: 'Save pricing' }).click();
  await expect(page.getByText('Pricing saved')).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('api-status')).toHaveText('PUBLISHED');
  return apiSlug;
}

/** The provider adds the portal's webhook URL in (fake) Stripe and pastes the key and signing secret. */
async function connectStripe(page: Page, orgSlug: string): Promise<void> {
  await page.goto(`/o/${orgSlug}/settings/stripe`);
  const shown = page.getByTestId('stripe-webhook-endpoint').locator('code');
  await expect(shown).toHaveText(/^http:\/\/[^/]+\/api\/stripe\/webhook\/[A-Za-z0-9_-]+$/);
  const webhookUrl = (await shown.textContent()) ?? '';
  const stripe = createStripeClient({ secretKey: SECRET_KEY, apiBase: fake.url });
  const endpoint = await stripe.webhookEndpoints.create({ url: webhookUrl, enabled_events: ['*'] });
  await page.getByLabel('Secret key').fill(SECRET_KEY);
  await page.getByLabel('Webhook signing secret').fill(endpoint.secret ?? '');
  await page.getByRole('button', { name: 'Connect Stripe' }).click();
  await expect(page.getByRole('heading', { name: /Connected/ })).toBeVisible();
}

async function enterCard(page: Page, card: string) {
  await expect(page).toHaveURL(new RegExp(`^${fake.url}/c/pay/cs_test_`));
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiration (MM / YY)').fill('12 / 34');
  await page.getByLabel('CVC').fill('123');
  await page.getByRole('button', { name: 'Save card' }).click();
}

test('a paid plan shows its charges, needs a card through Stripe Checkout, and starts once one is saved', async ({
  browser,
  request,
}) => {
  // Two users, a provider set-up, two trips through Checkout and three axe runs: longer than the default.
  test.setTimeout(300_000);
  const provider = await (await browser.newContext()).newPage();
  const consumer = await (await browser.newContext()).newPage();

  await signUp(provider, 'Paula Provider', `${unique('paula')}@example.test`);
  const providerOrg = await createOrg(provider, unique('Sky Data'));
  const apiSlug = await publishPaidApi(provider, providerOrg);
  await connectStripe(provider, providerOrg);

  await signUp(consumer, 'Dev Declined', `${unique('dev')}@example.test`);
  const consumerOrg = await createOrg(consumer, unique('Dev Team'));
  const appUrl = await createApp(consumer, consumerOrg, 'Forecast App');
  const key = await createKey(consumer, appUrl, 'paid');
  const call = () =>
    request.get(`${GATEWAY_URL}/${providerOrg}/${apiSlug}/today`, {
      headers: { authorization: `Bearer ${key}` },
    });

  // 1. What will be charged, before anything happens.
  await consumer.goto(`/catalog/${providerOrg}/${apiSlug}`);
  const appSelect = consumer.getByLabel('App', { exact: true });
  await appSelect.selectOption(
    (await appSelect.locator('option', { hasText: 'Forecast App' }).getAttribute('value')) ?? '',
  );
  await consumer.getByRole('button', { name: 'Subscribe to Pro' }).click();
  const dialog = consumer.getByRole('dialog', { name: 'Subscribe Forecast App to Pro?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('confirm-price')).toHaveText('$29.00 / month');
  const charges = dialog.getByTestId('confirm-charges');
  await expect(charges).toContainText('$29.00 per month, 1,000 requests included.');
  await expect(charges).toContainText('Then $0.002 per extra request.');
  const trialEnd = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  await expect(charges).toContainText(`Free trial of 14 days, until ${trialEnd}`);
  await expectNoAxeViolations(consumer);

  // 2. Confirm → Stripe Checkout; the declining test card leaves the subscription inactive.
  await dialog.getByRole('button', { name: 'Confirm and subscribe' }).click();
  await enterCard(consumer, '4000 0000 0000 0002');
  await expect(consumer.getByRole('alert')).toHaveText('Your card was declined.');
  await consumer.getByRole('link', { name: 'Back' }).click();
  await expect(consumer).toHaveURL(new RegExp(`/o/${consumerOrg}/billing\\?checkout=cancelled$`));
  await expect(consumer.getByTestId('checkout-notice')).toContainText('No payment method was saved');
  const row = consumer.getByTestId('billing-subscription').filter({ hasText: 'Forecast App' });
  await expect(row.getByTestId('billing-state')).toHaveText('Payment method needed');
  await expect(row.getByTestId('payment-method-problem')).toHaveText(
    'Your card was declined. The subscription has not started.',
  );
  expect((await call()).status()).toBe(403);
  await expectNoAxeViolations(consumer);
  await consumer.setViewportSize({ width: 375, height: 800 });
  await expectNoHorizontalScroll(consumer);
  await consumer.setViewportSize({ width: 1280, height: 800 });

  // 3. Try again with the succeeding card → ACTIVE, and the key works.
  await row.getByRole('button', { name: 'Try again' }).click();
  await enterCard(consumer, '4242 4242 4242 4242');
  await expect(consumer).toHaveURL(new RegExp(`/o/${consumerOrg}/billing\\?checkout=done$`));
  await expect(row.getByTestId('billing-state')).toHaveText('Active');
  await expect(consumer.getByTestId('checkout-notice')).toHaveText('Payment method saved.');
  await expect(row.getByTestId('billing-trial')).toContainText(`free trial until ${trialEnd}`);
  await expect(row.getByTestId('billing-projected')).toContainText('$0.00');
  await expect.poll(async () => (await call()).status(), { timeout: 10_000, intervals: [200] }).toBe(200);
});
