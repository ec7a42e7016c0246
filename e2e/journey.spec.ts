import { expect, test } from './fixtures.ts';
import {
  createApp,
  createOrg,
  GATEWAY_URL,
  PASSWORD,
  publishApi,
  signIn,
  signUp,
  subscribe,
  unique,
} from './helpers.ts';

// The whole journey: sign-up → org → API + plan → publish → second user subscribes → approval →
// key → real gateway calls (200, 429 after the limit) → usage in the portal → revoke → 401.
test('provider publishes an API, a developer subscribes, gets approved, calls it and is metered', async ({
  browser,
  request,
}) => {
  const provider = await (await browser.newContext()).newPage();
  const consumer = await (await browser.newContext()).newPage();
  const providerEmail = `${unique('paula')}@example.test`;
  const consumerEmail = `${unique('dev')}@example.test`;

  // 1. Sign up: a weak password is a field error; a registered address gets the same answer as a new one
  // (its owner is mailed instead), so the form says nothing about who has an account; then sign out and
  // back in.
  await provider.goto('/signup');
  await provider.getByLabel('Name').fill('Paula Provider');
  await provider.getByLabel('Email').fill(providerEmail);
  await provider.getByLabel('Password').fill('short');
  await provider.getByRole('button', { name: 'Create account' }).click();
  await expect(provider.getByText('Password must be at least 10 characters')).toBeVisible();
  await expect(provider).toHaveURL(/\/signup/);
  await provider.getByLabel('Email').fill('demo@portcullis.dev');
  await provider.getByLabel('Password').fill(PASSWORD);
  await provider.getByRole('button', { name: 'Create account' }).click();
  await expect(provider.getByRole('heading', { name: 'Check your mail' })).toBeVisible();
  await expect(provider.getByText('already exists')).toHaveCount(0);
  await signUp(provider, 'Paula Provider', providerEmail);
  await expect(provider.getByText(providerEmail)).toBeVisible();
  await provider.getByRole('button', { name: 'Sign out' }).click();
  await expect(provider).toHaveURL(/\/signin/);
  await provider.getByLabel('Email').fill(providerEmail);
  await provider.getByLabel('Password').fill('wrong-password-123');
  await provider.getByRole('button', { name: 'Sign in' }).click();
  await expect(provider.getByText('Invalid email or password')).toBeVisible();
  await signIn(provider, providerEmail);

  // 2. Organization: the signer becomes OWNER.
  const providerOrg = await createOrg(provider, unique('Acme Weather'));
  await expect(provider.getByText('OWNER')).toBeVisible();

  // 3. Register an API, add a plan (3 requests/minute, 100/month, approval required), publish.
  const apiSlug = await publishApi(provider, providerOrg, 'Weather', {
    name: 'Basic',
    rateLimit: 3,
    windowSeconds: 60,
    monthlyQuota: 100,
  });

  // 4. A second user signs up, finds the API in the catalog, creates an app and subscribes → PENDING.
  await signUp(consumer, 'Dana Developer', consumerEmail);
  const consumerOrg = await createOrg(consumer, unique('Dana Labs'));
  const appUrl = await createApp(consumer, consumerOrg, 'Forecast Bot');
  await subscribe(consumer, providerOrg, apiSlug, 'Weather', 'Forecast Bot', 'Basic');

  // 6 (before approval). A key for a pending subscription is refused by the gateway with 403.
  await consumer.goto(appUrl);
  await consumer.getByLabel('Key name').fill('ci');
  await consumer.getByRole('button', { name: 'Create key' }).click();
  const key = ((await consumer.getByTestId('new-key').textContent()) ?? '').match(
    /pk_live_[0-9A-Za-z]{32}/,
  )?.[0];
  expect(key, 'the new key is shown once').toBeTruthy();
  const call = (path = 'forecast?city=Oslo') =>
    request.get(`${GATEWAY_URL}/${providerOrg}/${apiSlug}/${path}`, {
      headers: { authorization: `Bearer ${key}` },
    });
  const pending = await call();
  expect(pending.status()).toBe(403);
  expect(pending.headers()['content-type']).toContain('application/problem+json');
  expect((await pending.json()).code).toBe('subscription_inactive');

  // 5. The provider approves the request from the approval queue.
  await provider.goto(`/o/${providerOrg}/approvals`);
  await expect(provider.getByText('Forecast Bot')).toBeVisible();
  await provider.getByRole('button', { name: 'Approve' }).click();
  await expect(provider.getByText('No pending requests')).toBeVisible();

  // Real calls through the gateway: 3 admitted (approval reaches the gateway within a second), then 429.
  await expect.poll(async () => (await call()).status(), { timeout: 5_000, intervals: [100] }).toBe(200);
  const ok = await call('forecast?city=Bergen');
  expect(ok.status()).toBe(200);
  const echoed = await ok.json();
  expect(echoed.path).toBe('/forecast');
  expect(echoed.query).toEqual({ city: 'Bergen' });
  expect(echoed.headers.authorization).toBeUndefined();
  expect(ok.headers()['x-request-id']).toBeTruthy();
  expect((await call()).status()).toBe(200);
  const limited = await call();
  expect(limited.status()).toBe(429);
  expect(limited.headers()['retry-after']).toMatch(/^\d+$/);
  expect((await limited.json()).code).toBe('rate_limited');

  // 7. Usage in the portal: 3 admitted requests this period, against the 100 quota.
  await consumer.goto(appUrl);
  await expect
    .poll(
      async () => {
        await consumer.reload();
        return consumer.getByTestId('usage').first().textContent();
      },
      { timeout: 15_000, intervals: [500] },
    )
    .toContain('3 / 100 requests this month');

  // 6. Revoke the key: the gateway refuses it within a second.
  const row = consumer.getByRole('row').filter({ hasText: 'pk_live_' });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Confirm' }).click();
  await expect(row.getByText('revoked', { exact: true })).toBeVisible();
  const revokedAt = Date.now();
  await expect.poll(async () => (await call()).status(), { timeout: 1_500, intervals: [50] }).toBe(401);
  expect(Date.now() - revokedAt).toBeLessThan(1_500);
  expect((await (await call()).json()).code).toBe('key_revoked');
});

test('a provider rejects a subscription with a reason, and the developer sees it', async ({
  browser,
  request,
}) => {
  const provider = await (await browser.newContext()).newPage();
  const consumer = await (await browser.newContext()).newPage();
  await signUp(provider, 'Rita Reviewer', `${unique('rita')}@example.test`);
  const providerOrg = await createOrg(provider, unique('Strict Data'));
  const apiSlug = await publishApi(provider, providerOrg, 'Ledger', {
    name: 'Gold',
    rateLimit: 10,
    windowSeconds: 60,
    monthlyQuota: 1000,
  });

  await signUp(consumer, 'Sam Scraper', `${unique('sam')}@example.test`);
  const consumerOrg = await createOrg(consumer, unique('Sam Co'));
  const appUrl = await createApp(consumer, consumerOrg, 'Scraper');
  await subscribe(consumer, providerOrg, apiSlug, 'Ledger', 'Scraper', 'Gold');

  // Rejecting needs a reason: without one the request stays in the queue with a field error.
  await provider.goto(`/o/${providerOrg}/approvals`);
  const row = provider.getByRole('row').filter({ hasText: 'Scraper' });
  await row.getByRole('button', { name: 'Reject' }).click();
  await expect(row.getByLabel('Reason')).toHaveAttribute('aria-invalid', 'true');
  await expect(row.locator('.field-error')).toContainText(/reason/i);
  await expect(row).toBeVisible();
  await row.getByLabel('Reason').fill('Scraping is against our terms');
  await row.getByRole('button', { name: 'Reject' }).click();
  await expect(provider.getByText('No pending requests')).toBeVisible();

  // The developer sees the rejection and its reason; a key for the app is refused by the gateway.
  await consumer.goto(appUrl);
  await expect(consumer.getByText('REJECTED')).toBeVisible();
  await expect(consumer.getByText('Scraping is against our terms')).toBeVisible();
  await consumer.getByLabel('Key name').fill('blocked');
  await consumer.getByRole('button', { name: 'Create key' }).click();
  const key = ((await consumer.getByTestId('new-key').textContent()) ?? '').match(
    /pk_live_[0-9A-Za-z]{32}/,
  )?.[0];
  const refused = await request.get(`${GATEWAY_URL}/${providerOrg}/${apiSlug}/rows`, {
    headers: { 'x-api-key': key ?? '' },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).code).toBe('subscription_inactive');
});
