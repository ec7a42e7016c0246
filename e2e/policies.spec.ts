import { expect, test } from './fixtures.ts';
import {
  createApp,
  createKey,
  createOrg,
  ECHO_URL,
  expectNoHorizontalScroll,
  GATEWAY_URL,
  publishApi,
  signIn,
  signUp,
  subscribe,
  unique,
} from './helpers.ts';

// Provider configures gateway policies in the portal: plan windows, IP rules (field errors, save,
// round trip after reload), subscriber suspend/resume, and retiring the API (gateway 410).
test('provider edits plan limits and policies, manages subscribers and retires the API', async ({
  browser,
  request,
}) => {
  const provider = await (await browser.newContext()).newPage();
  const consumer = await (await browser.newContext()).newPage();

  // Provider: account, org, published API (echo upstream) with one plan.
  await signUp(provider, 'Petra Policy', `${unique('petra')}@example.test`);
  const providerOrg = await createOrg(provider, unique('Policy Co'));
  const apiSlug = await publishApi(provider, providerOrg, 'Ledger', {
    name: 'Gold',
    rateLimit: 100,
    windowSeconds: 60,
    monthlyQuota: 10_000,
  });

  // Plan limits: add an extra window (500 per hour, per app) and save.
  await provider.getByRole('button', { name: 'Edit limits of Gold' }).click();
  await provider.getByRole('button', { name: 'Add window' }).click();
  await provider.getByLabel('Window 1 limit').fill('0');
  await provider.getByRole('button', { name: 'Save limits' }).click();
  await expect(provider.getByLabel('Window 1 limit')).toHaveAttribute('aria-invalid', 'true');
  await provider.getByLabel('Window 1 limit').fill('500');
  await provider.getByLabel('Window 1 seconds').fill('3600');
  await provider.getByLabel('Window 1 scope').selectOption('app');
  await provider.getByRole('button', { name: 'Save limits' }).click();
  await expect(provider.getByText('Limits saved')).toBeVisible();
  await expect(provider.getByTestId('plan-windows')).toHaveText('+ 500 / 3600s per app');

  // Policies: an invalid CIDR gets a field error; a valid deny rule saves and survives a reload.
  await provider.getByRole('link', { name: 'Policies' }).click();
  await expect(provider).toHaveURL(new RegExp(`/o/${providerOrg}/apis/${apiSlug}/policies$`));
  // The OpenAPI document has its own tab, not a section of Policies.
  await expect(provider.getByRole('heading', { name: 'OpenAPI document' })).toHaveCount(0);
  await expect(
    provider.getByRole('navigation', { name: 'API sections' }).getByRole('link', { name: 'OpenAPI' }),
  ).toHaveAttribute('href', `/o/${providerOrg}/apis/${apiSlug}/openapi`);
  const deny = provider.getByLabel('IP deny list');
  await deny.fill('10.0.0.300/8');
  await provider.getByRole('button', { name: 'Save policies' }).click();
  await expect(deny).toHaveAttribute('aria-invalid', 'true');
  await expect(provider.locator('#ip-deny-error')).toContainText('10.0.0.300/8');
  await deny.fill('127.0.0.1/32');
  await provider.getByLabel('Max body (bytes)').fill('2048');
  await provider.getByLabel('Answer CORS requests').check();
  await provider.getByLabel('Allowed origins').fill('https://ledger.example.com');
  await provider.getByLabel('When Redis is unreachable').selectOption('deny');
  await provider.getByRole('button', { name: 'Save policies' }).click();
  await expect(provider.getByText('Policies saved')).toBeVisible();
  await provider.reload();
  await expect(provider.getByLabel('IP deny list')).toHaveValue('127.0.0.1/32');
  await expect(provider.getByLabel('Max body (bytes)')).toHaveValue('2048');
  await expect(provider.getByLabel('Answer CORS requests')).toBeChecked();
  await expect(provider.getByLabel('Allowed origins')).toHaveValue('https://ledger.example.com');
  await expect(provider.getByLabel('When Redis is unreachable')).toHaveValue('deny');
  await provider.setViewportSize({ width: 375, height: 800 });
  await expectNoHorizontalScroll(provider);
  await provider.getByRole('link', { name: 'Upstream' }).click();
  await provider.getByRole('button', { name: 'Add target' }).click();
  await provider.getByRole('button', { name: 'Add version' }).click();
  await expect(provider.getByLabel('Target 1 URL')).toBeVisible();
  await expectNoHorizontalScroll(provider);
  await provider.getByRole('link', { name: 'Overview' }).click();
  await provider.getByRole('button', { name: 'Edit limits of Gold' }).click();
  await expect(provider.getByLabel('Window 1 limit')).toBeVisible();
  await expectNoHorizontalScroll(provider);
  await provider.setViewportSize({ width: 1280, height: 800 });

  // Consumer subscribes (approval required); provider approves; consumer creates a key.
  await signUp(consumer, 'Carl Consumer', `${unique('carl')}@example.test`);
  const consumerOrgName = unique('Carl Labs');
  const consumerOrg = await createOrg(consumer, consumerOrgName);
  const appUrl = await createApp(consumer, consumerOrg, 'Books Bot');
  await subscribe(consumer, providerOrg, apiSlug, 'Ledger', 'Books Bot', 'Gold');
  await provider.goto(`/o/${providerOrg}/approvals`);
  await expect(provider.getByText('Books Bot')).toBeVisible();
  await provider.getByRole('button', { name: 'Approve' }).click();
  await expect(provider.getByText('No pending requests')).toBeVisible();
  const key = await createKey(consumer, appUrl, 'ci');
  const call = () =>
    request.get(`${GATEWAY_URL}/${providerOrg}/${apiSlug}/entries`, {
      headers: { authorization: `Bearer ${key}` },
    });

  // The deny rule for 127.0.0.1/32 keeps this client out, before its key is even looked at.
  const denied = await call();
  expect(denied.status()).toBe(403);
  expect(denied.headers()['content-type']).toContain('application/problem+json');
  expect((await denied.json()).code).toBe('ip_denied');

  // Lifting the rule lets the same key through within a second or so (config change → NOTIFY).
  await provider.goto(`/o/${providerOrg}/apis/${apiSlug}/policies`);
  await provider.getByLabel('IP deny list').fill('');
  await provider.getByRole('button', { name: 'Save policies' }).click();
  await expect(provider.getByText('Policies saved')).toBeVisible();
  await expect.poll(async () => (await call()).status(), { timeout: 5_000, intervals: [100] }).toBe(200);

  // Subscribers: the provider suspends the app (gateway 403), then resumes it (200 again).
  await provider.getByRole('link', { name: 'Overview' }).click();
  const subscribers = provider.getByRole('table', { name: 'Subscribers' });
  const row = subscribers.getByRole('row').filter({ hasText: 'Books Bot' });
  await expect(row).toContainText(consumerOrgName);
  await expect(row).toContainText('Gold');
  await row.getByRole('button', { name: 'Suspend Books Bot' }).click();
  await expect(row.getByText('SUSPENDED')).toBeVisible();
  await expect.poll(async () => (await call()).status(), { timeout: 5_000, intervals: [100] }).toBe(403);
  expect((await (await call()).json()).code).toBe('subscription_inactive');
  await row.getByRole('button', { name: 'Resume Books Bot' }).click();
  await expect(row.getByText('ACTIVE')).toBeVisible();
  await expect.poll(async () => (await call()).status(), { timeout: 5_000, intervals: [100] }).toBe(200);

  // Retire, with confirmation: a wrong slug is a field error; then the gateway answers 410.
  await provider.getByRole('button', { name: 'Retire API…' }).click();
  await provider.getByLabel(`Type ${apiSlug} to confirm`).fill('not-the-slug');
  await provider.getByRole('button', { name: 'Retire permanently' }).click();
  await expect(provider.getByLabel(`Type ${apiSlug} to confirm`)).toHaveAttribute('aria-invalid', 'true');
  await provider.getByLabel(`Type ${apiSlug} to confirm`).fill(apiSlug);
  await provider.getByRole('button', { name: 'Retire permanently' }).click();
  await expect(provider.getByTestId('api-status')).toHaveText('RETIRED');
  await expect.poll(async () => (await call()).status(), { timeout: 5_000, intervals: [100] }).toBe(410);
  const retired = await call();
  expect(retired.headers()['content-type']).toContain('application/problem+json');
  expect((await retired.json()).code).toBe('api_retired');
});

// The seeded demo operator is a platform admin: the Admin link, settings with field errors, a round trip.
// Anyone else gets a 404 for /admin.
test('platform admin edits platform settings; other users cannot reach /admin', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'demo@portcullis.dev', 'portcullis-demo-2026');
  await admin.getByRole('link', { name: 'Admin' }).click();
  await expect(admin).toHaveURL(/\/admin$/);
  // The seed allow-lists the demo echo upstream for the demo org only.
  const echoHost = new URL(ECHO_URL).host;
  const table = admin.getByRole('table', { name: 'Allowed hosts' });
  await expect(table.getByRole('row', { name: new RegExp(echoHost) })).toContainText('demo');
  const host = admin.getByLabel('Host', { exact: true });
  await host.fill('http://bad.example/path');
  await admin.getByLabel('Organizations', { exact: true }).fill('demo');
  await admin.getByRole('button', { name: 'Add host' }).click();
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await expect(host).toHaveAttribute('aria-invalid', 'true');
  await expect(admin.locator('#allow-host-error')).toContainText('http://bad.example/path');
  await admin.getByRole('button', { name: 'Remove http://bad.example/path' }).click();
  // All tenants is a deliberate choice, with its consequence spelled out before saving
  await host.fill('Echo.Internal:8443');
  await admin.getByLabel('All tenants').check();
  await expect(
    admin.getByRole('alert').filter({ hasText: "Every organization's APIs and AI credentials" }),
  ).toBeVisible();
  await admin.getByRole('button', { name: 'Add host' }).click();
  await admin.getByLabel('Request log retention (days)').fill('45');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await expect(admin.getByText('Settings saved')).toBeVisible();
  await admin.reload();
  await expect(table.getByRole('row', { name: /echo\.internal:8443/ })).toContainText('All tenants');
  await expect(table.getByRole('row', { name: new RegExp(echoHost) })).toContainText('demo');
  await expect(admin.getByLabel('Request log retention (days)')).toHaveValue('45');

  const other = await (await browser.newContext()).newPage();
  await signUp(other, 'Otto Other', `${unique('otto')}@example.test`);
  await expect(other.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  const response = await other.goto('/admin');
  expect(response?.status()).toBe(404);
});
