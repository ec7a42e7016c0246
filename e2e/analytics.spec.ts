import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { expect, test } from './fixtures.ts';
import {
  createApp,
  createKey,
  createOrg,
  expectNoAxeViolations,
  GATEWAY_URL,
  publishApi,
  signUp,
  subscribe,
  unique,
} from './helpers.ts';

// The platform started by playwright.config.ts uses this database. The spec adds a VIEWER membership
// directly, so it does not depend on the invitation flow (covered by its own spec).
const DATABASE_URL = process.env.E2E_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/portcullis_e2e';

async function addMembership(orgSlug: string, email: string, role: 'VIEWER'): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const inserted = await client.query(
      `INSERT INTO "Membership" ("id", "orgId", "userId", "role")
       SELECT 'e2e-' || md5(random()::text), o."id", u."id", $3::"Role"
       FROM "Organization" o, "User" u WHERE o."slug" = $1 AND u."email" = $2`,
      [orgSlug, email.toLowerCase(), role],
    );
    if (inserted.rowCount !== 1) throw new Error(`no membership added for ${email} in ${orgSlug}`);
  } finally {
    await client.end();
  }
}

// A provider's traffic through the gateway shows in its analytics (from rollups), its request
// log explorer (filter, drawer, CSV) and its audit log; a VIEWER reads analytics but not the audit log.
test('analytics, request logs with CSV export, and the audit log', async ({ browser, request }) => {
  const provider = await (await browser.newContext()).newPage();
  const consumer = await (await browser.newContext()).newPage();

  await signUp(provider, 'Ana Lytics', `${unique('ana')}@example.test`);
  const providerOrg = await createOrg(provider, unique('Signal Co'));
  const apiSlug = await publishApi(provider, providerOrg, 'Pulse', {
    name: 'Starter',
    rateLimit: 100,
    windowSeconds: 60,
    monthlyQuota: 1000,
  });

  await signUp(consumer, 'Cory Consumer', `${unique('cory')}@example.test`);
  const consumerOrg = await createOrg(consumer, unique('Cory Labs'));
  const appUrl = await createApp(consumer, consumerOrg, 'Dashboard');
  await subscribe(consumer, providerOrg, apiSlug, 'Pulse', 'Dashboard', 'Starter');
  await provider.goto(`/o/${providerOrg}/approvals`);
  await provider.getByRole('button', { name: 'Approve' }).click();
  await expect(provider.getByText('No pending requests')).toBeVisible();

  const key = await createKey(consumer, appUrl, 'metrics');

  // Traffic: five admitted calls, one without a key (401, logged for the provider's API).
  const base = `${GATEWAY_URL}/${providerOrg}/${apiSlug}`;
  const auth = { authorization: `Bearer ${key}` };
  await expect
    .poll(async () => (await request.get(`${base}/pulse/0`, { headers: auth })).status(), { timeout: 5_000 })
    .toBe(200);
  for (let i = 1; i < 5; i++)
    expect((await request.get(`${base}/pulse/${i}`, { headers: auth })).status()).toBe(200);
  expect((await request.get(`${base}/pulse/anonymous`)).status()).toBe(401);

  // Analytics (provider side): the count comes from the rollups once the metering has applied them.
  await provider.goto(`/o/${providerOrg}/analytics`);
  await expect
    .poll(
      async () => {
        await provider.reload();
        return provider.getByTestId('stat-requests').textContent();
      },
      { timeout: 20_000, intervals: [1_000] },
    )
    .toBe('5');
  await expect(
    provider.getByTestId('chart-requests').locator('.recharts-wrapper > svg.recharts-surface'),
  ).toBeVisible();
  await expect(
    provider.getByTestId('chart-latency').locator('.recharts-wrapper > svg.recharts-surface'),
  ).toBeVisible();
  await expect(provider.getByRole('table', { name: 'Top consumers' })).toContainText('5');
  await expect(provider.getByTestId('burn-summary')).toContainText('5 of 1,000 requests used');
  await provider.getByRole('button', { name: '24 hours' }).click();
  await expect(provider.getByTestId('stat-requests')).toHaveText('5');
  await expectNoAxeViolations(provider);

  // Request logs: filter by status (a call made before the approval reached the gateway may have logged a
  // 403 too, so the filters are exact), open the drawer, export CSV.
  await provider.goto(`/o/${providerOrg}/logs`);
  await expect(provider.getByTestId('log-row').first()).toBeVisible({ timeout: 10_000 });
  await expectNoAxeViolations(provider);
  const status = provider.getByLabel('Status', { exact: true });
  await status.fill('2xx');
  await provider.getByRole('button', { name: 'Apply filters' }).click();
  await expect(provider.getByTestId('log-row')).toHaveCount(5);
  await status.fill('401');
  await provider.getByRole('button', { name: 'Apply filters' }).click();
  await expect(provider.getByTestId('log-row')).toHaveCount(1);
  await expect(provider.getByTestId('log-row')).toContainText('401');
  await provider
    .getByTestId('log-row')
    .getByRole('button', { name: /Details/ })
    .click();
  const drawer = provider.getByRole('dialog', { name: 'Request' });
  await expect(drawer.getByTestId('log-detail')).toContainText('key_missing');
  await expect(drawer).toContainText(`/${providerOrg}/${apiSlug}/pulse/anonymous`);
  await expectNoAxeViolations(provider);
  await drawer.getByRole('button', { name: 'Close' }).click();
  await expect(drawer).toBeHidden();

  const [download] = await Promise.all([
    provider.waitForEvent('download'),
    provider.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`${providerOrg}-requests-provider.csv`);
  const csv = (await readFile((await download.path()) ?? '', 'utf8')).split('\r\n').filter(Boolean);
  expect(csv[0]).toMatch(/^at,id,method,path,status,latency_ms,/);
  expect(csv.slice(1)).toHaveLength(1);
  expect(csv[1]).toContain(',401,');

  // Audit log: the OWNER sees the mutations made above.
  await provider.goto(`/o/${providerOrg}/audit`);
  for (const action of ['api.create', 'plan.create', 'api.publish', 'subscription.approve']) {
    await expect(provider.getByTestId('audit-row').filter({ hasText: action }).first()).toBeVisible();
  }
  await provider.getByTestId('audit-row').filter({ hasText: 'api.create' }).getByRole('button').click();
  await expect(
    provider.getByRole('dialog', { name: 'Audit entry' }).getByTestId('audit-detail'),
  ).toContainText(apiSlug);

  // A VIEWER of the provider reads analytics and logs, but not the audit log.
  const viewerEmail = `${unique('vera')}@example.test`;
  const viewer = await (await browser.newContext()).newPage();
  await signUp(viewer, 'Vera Viewer', viewerEmail);
  // Memberships are read per request, so the signed-in viewer needs no new session.
  await addMembership(providerOrg, viewerEmail, 'VIEWER');
  await viewer.goto(`/o/${providerOrg}/analytics`);
  await expect(viewer.getByTestId('stat-requests')).toHaveText('5');
  await viewer.goto(`/o/${providerOrg}/logs`);
  await expect(viewer.getByTestId('log-row').first()).toBeVisible();
  await viewer.goto(`/o/${providerOrg}/audit`);
  await expect(viewer.getByTestId('audit-forbidden')).toBeVisible();
  await expect(viewer.getByTestId('audit-row')).toHaveCount(0);
});
