import { expect, test } from './fixtures.ts';
import {
  createApp,
  createKey,
  createOrg,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  GATEWAY_URL,
  publishApi,
  signUp,
  subscribe,
  unique,
} from './helpers.ts';

// A consumer sets a usage alert at 80 % and 100 % of its subscription's quota; once the metering worker
// has rolled up four of five requests, the 80 % notification arrives (the worker checks alerts on its
// billing timer, every minute by default). The alerts and analytics pages pass axe and fit a phone.
test('usage alerts notify once a quota threshold is crossed; alerts and analytics pages are accessible', async ({
  browser,
  request,
}) => {
  test.setTimeout(360_000);
  const provider = await (await browser.newContext()).newPage();
  const consumer = await (await browser.newContext()).newPage();

  await signUp(provider, 'Alice Alerts', `${unique('alice')}@example.test`);
  const providerOrg = await createOrg(provider, unique('Beacon Co'));
  const apiSlug = await publishApi(provider, providerOrg, 'Beacon', {
    name: 'Tiny',
    rateLimit: 100,
    windowSeconds: 60,
    monthlyQuota: 5,
  });

  await signUp(consumer, 'Carl Consumer', `${unique('carl')}@example.test`);
  const consumerOrg = await createOrg(consumer, unique('Carl Labs'));
  const appUrl = await createApp(consumer, consumerOrg, 'Watcher');
  await subscribe(consumer, providerOrg, apiSlug, 'Beacon', 'Watcher', 'Tiny');
  await provider.goto(`/o/${providerOrg}/approvals`);
  await provider.getByRole('button', { name: 'Approve' }).click();
  await expect(provider.getByText('No pending requests')).toBeVisible();
  const key = await createKey(consumer, appUrl, 'alerts');

  // The alerts page is reached from the org overview.
  await consumer.goto(`/o/${consumerOrg}`);
  await consumer.getByRole('link', { name: 'Usage alerts' }).click();
  await expect(consumer).toHaveURL(new RegExp(`/o/${consumerOrg}/alerts$`));
  await expect(consumer.getByText('No alerts yet.')).toBeVisible();

  // Bad input is refused with a message next to the field.
  await consumer.getByLabel('Thresholds (%)').fill('eighty');
  await consumer.getByRole('button', { name: 'Add alert' }).click();
  await expect(consumer.getByText('Enter whole percentages, like 80, 100')).toBeVisible();

  await consumer.getByLabel('Thresholds (%)').fill('80, 100');
  await consumer.getByRole('button', { name: 'Add alert' }).click();
  const alerts = consumer.getByRole('table', { name: 'Usage alerts' });
  await expect(alerts).toContainText('Beacon · Watcher');
  await expect(alerts).toContainText('80%, 100%');
  await expect(alerts).toContainText('0 of 5 (0%)');
  await expectNoAxeViolations(consumer);

  // Four admitted calls: 80 % of the quota.
  const base = `${GATEWAY_URL}/${providerOrg}/${apiSlug}`;
  const auth = { authorization: `Bearer ${key}` };
  await expect
    .poll(async () => (await request.get(`${base}/ping/0`, { headers: auth })).status(), { timeout: 5_000 })
    .toBe(200);
  for (let i = 1; i < 4; i++)
    expect((await request.get(`${base}/ping/${i}`, { headers: auth })).status()).toBe(200);

  // The metering worker checks alerts on its timer: revisit until the notification is there, giving
  // each visit time to fetch the list.
  await expect(async () => {
    await consumer.goto('/notifications');
    await expect(consumer.getByText('80% of the monthly quota used')).toHaveCount(1, { timeout: 5_000 });
  }).toPass({ timeout: 150_000, intervals: [3_000] });
  await consumer.goto(`/o/${consumerOrg}/alerts`);
  await expect(alerts).toContainText('4 of 5 (80%)');
  await expect(alerts).toContainText(/80% on \d{4}-\d{2}-\d{2}/);

  // Phones: the alerts page and the analytics page fit 375 px; analytics passes axe.
  await consumer.setViewportSize({ width: 375, height: 800 });
  await expectNoHorizontalScroll(consumer);
  await consumer.goto(`/o/${consumerOrg}/analytics`);
  await expect(consumer.getByTestId('stat-requests')).toHaveText('4');
  await expect(consumer.getByTestId('burn-summary')).toContainText('4 of 5 requests used');
  await expect(consumer.getByTestId('burn-summary')).toContainText('Not enough data yet');
  await expect(consumer.getByText('Error rate (5xx)').first()).toBeVisible();
  await expectNoHorizontalScroll(consumer);
  await expectNoAxeViolations(consumer);

  // The provider's revenue view renders its KPIs (no invoices issued yet) and fits a phone.
  await provider.setViewportSize({ width: 375, height: 800 });
  await provider.goto(`/o/${providerOrg}/billing`);
  await expect(provider.getByTestId('stat-mrr')).toHaveText('None yet');
  await expect(provider.getByTestId('stat-paid-subscriptions')).toHaveText('0');
  await expectNoHorizontalScroll(provider);
  await expectNoAxeViolations(provider);
});
