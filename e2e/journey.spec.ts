import { expect, test } from '@playwright/test';
import { createOrg, ECHO_URL, GATEWAY_URL, PASSWORD, signIn, signUp, unique } from './helpers.ts';

// Issue #2's whole journey: sign-up → org → API + plan → publish → second user subscribes → approval →
// key → real gateway calls (200, 429 after the limit) → usage in the portal → revoke → 401.
test('provider publishes an API, a developer subscribes, gets approved, calls it and is metered', async ({
  browser,
  request,
}) => {
  const provider = await (await browser.newContext()).newPage();
  const consumer = await (await browser.newContext()).newPage();
  const providerEmail = `${unique('paula')}@example.test`;
  const consumerEmail = `${unique('dev')}@example.test`;

  // 1. Sign up: weak password and duplicate email get field errors; then sign out and back in.
  await provider.goto('/signup');
  await provider.getByLabel('Name').fill('Paula Provider');
  await provider.getByLabel('Email').fill(providerEmail);
  await provider.getByLabel('Password').fill('short');
  await provider.getByRole('button', { name: 'Create account' }).click();
  await expect(provider.getByText(/at least 10 characters/i)).toBeVisible();
  await expect(provider).toHaveURL(/\/signup/);
  await provider.getByLabel('Email').fill('demo@portcullis.dev');
  await provider.getByLabel('Password').fill(PASSWORD);
  await provider.getByRole('button', { name: 'Create account' }).click();
  await expect(provider.getByText('An account with this email already exists')).toBeVisible();
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
  const apiSlug = unique('weather');
  await provider.goto(`/o/${providerOrg}/apis/new`);
  await provider.getByLabel('Name').fill('Weather');
  await provider.getByLabel('Slug').fill(apiSlug);
  await provider.getByLabel('Upstream URL').fill(ECHO_URL);
  await provider.getByLabel('Description').fill('Forecasts, echoed.');
  await provider.getByLabel('Visibility').selectOption('PUBLIC');
  await provider.getByRole('button', { name: 'Create API' }).click();
  await expect(provider).toHaveURL(new RegExp(`/o/${providerOrg}/apis/${apiSlug}$`));
  await expect(provider.getByText('DRAFT')).toBeVisible();
  await provider.getByLabel('Plan name').fill('Basic');
  await provider.getByLabel('Rate limit (requests)').fill('3');
  await provider.getByLabel('Window (seconds)').fill('60');
  await provider.getByLabel('Monthly quota').fill('100');
  await expect(provider.getByLabel('Requires approval')).toBeChecked();
  await provider.getByRole('button', { name: 'Add plan' }).click();
  await expect(provider.getByText('Basic').first()).toBeVisible();
  await provider.getByRole('button', { name: 'Publish' }).click();
  await expect(provider.getByText('PUBLISHED')).toBeVisible();

  // 4. A second user signs up, finds the API in the catalog, creates an app and subscribes → PENDING.
  await signUp(consumer, 'Dana Developer', consumerEmail);
  const consumerOrg = await createOrg(consumer, unique('Dana Labs'));
  await consumer.goto(`/o/${consumerOrg}/apps/new`);
  await consumer.getByLabel('App name').fill('Forecast Bot');
  await consumer.getByRole('button', { name: 'Create app' }).click();
  await expect(consumer).toHaveURL(new RegExp(`/o/${consumerOrg}/apps/[^/]+$`));
  const appUrl = consumer.url();
  await consumer.goto('/catalog');
  await consumer.getByRole('link', { name: 'Weather' }).first().click();
  await expect(consumer).toHaveURL(new RegExp(`/catalog/${providerOrg}/${apiSlug}$`));
  await expect(consumer.getByText(`${GATEWAY_URL}/${providerOrg}/${apiSlug}/`)).toBeVisible();
  await consumer.getByLabel('App').selectOption({ label: 'Forecast Bot' });
  await consumer.getByRole('button', { name: 'Subscribe to Basic' }).click();
  await expect(consumer.getByText('PENDING')).toBeVisible();

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
