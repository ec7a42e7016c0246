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
  signIn,
  signUp,
  subscribe,
  unique,
} from './helpers.ts';

// The platform started by playwright.config.ts uses this database; the spec reads and moves one
// subscription's history in it, because no product API moves time.
const DATABASE_URL = process.env.E2E_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/portcullis_e2e';
const DEMO_ADMIN = { email: 'demo@portcullis.dev', password: 'portcullis-demo-2026', orgSlug: 'demo' };
const SHIFT_DAYS = 40;

/**
 * Moves a subscription and its usage SHIFT_DAYS into the past, as if it had been created then: its
 * first billing period (a month) has then ended about ten days ago and can be invoiced.
 */
async function ageSubscription(consumerOrgSlug: string, appName: string): Promise<string> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const found = await client.query<{ id: string }>(
      `SELECT s."id" FROM "Subscription" s
       JOIN "App" a ON a."id" = s."appId"
       JOIN "Organization" o ON o."id" = a."orgId"
       WHERE o."slug" = $1 AND a."name" = $2`,
      [consumerOrgSlug, appName],
    );
    const id = found.rows[0]?.id;
    if (!id || found.rows.length !== 1)
      throw new Error(`expected one subscription, found ${found.rows.length}`);
    const shift = `${SHIFT_DAYS} days`;
    await client.query('BEGIN');
    await client.query(
      `UPDATE "Subscription" SET "createdAt" = "createdAt" - $2::interval,
         "currentPeriodStart" = "currentPeriodStart" - $2::interval,
         "decidedAt" = "decidedAt" - $2::interval
       WHERE "id" = $1`,
      [id, shift],
    );
    await client.query(
      `UPDATE "UsageRollup" SET "bucketStart" = "bucketStart" - $2::interval WHERE "subscriptionId" = $1`,
      [id, shift],
    );
    await client.query(
      `UPDATE "UsageDailyRollup" SET "day" = ("day" - $2::interval)::date WHERE "subscriptionId" = $1`,
      [id, shift],
    );
    await client.query('COMMIT');
    return id;
  } finally {
    await client.end();
  }
}

// A provider prices a plan per request in the portal, a consumer calls the API through the
// gateway, the period closes into an exact invoice the consumer can see, print and export.
test('per-request pricing → gateway calls → closed period → exact invoice, printable and exported', async ({
  browser,
  request,
}) => {
  const provider = await (await browser.newContext()).newPage();
  const consumer = await (await browser.newContext()).newPage();
  const admin = await (await browser.newContext()).newPage();

  // 1. Provider: API with one plan, priced at 2.00 per period + 0.002 per request (sub-cent).
  await signUp(provider, 'Priya Pricing', `${unique('priya')}@example.test`);
  const providerOrg = await createOrg(provider, unique('Meter Works'));
  const apiSlug = await publishApi(provider, providerOrg, 'Geocoder', {
    name: 'Metered',
    rateLimit: 100,
    windowSeconds: 60,
    monthlyQuota: 1000,
  });
  await provider.getByRole('button', { name: 'Edit pricing of Metered' }).click();
  await provider.getByLabel('Pricing model').selectOption('per_unit');
  await provider.getByRole('button', { name: 'Save pricing' }).click();
  // No unit price yet: the server names the missing field.
  await expect(provider.getByLabel('Price per request')).toHaveAttribute('aria-invalid', 'true');
  await provider.getByLabel('Price per request').fill('0.002');
  await provider.getByLabel('Fee per period').fill('2.00');
  await provider.getByRole('button', { name: 'Save pricing' }).click();
  await expect(provider.getByText('Pricing saved')).toBeVisible();
  await expect(provider.getByTestId('plan-pricing')).toHaveText('$2.00 / period + $0.002 per request');

  // 2. Consumer subscribes, is approved, calls the API five times.
  await signUp(consumer, 'Carl Consumer', `${unique('carl')}@example.test`);
  const consumerOrg = await createOrg(consumer, unique('Carl Maps'));
  const appUrl = await createApp(consumer, consumerOrg, 'Route Planner');
  await subscribe(consumer, providerOrg, apiSlug, 'Geocoder', 'Route Planner', 'Metered');
  await provider.goto(`/o/${providerOrg}/approvals`);
  await provider.getByRole('button', { name: 'Approve' }).click();
  await expect(provider.getByText('No pending requests')).toBeVisible();
  const key = await createKey(consumer, appUrl, 'billing');
  const call = () =>
    request.get(`${GATEWAY_URL}/${providerOrg}/${apiSlug}/geocode?q=Oslo`, {
      headers: { authorization: `Bearer ${key}` },
    });
  await expect.poll(async () => (await call()).status(), { timeout: 5_000, intervals: [100] }).toBe(200);
  for (let i = 0; i < 4; i++) expect((await call()).status()).toBe(200);

  // 3. The consumer's billing page shows the usage once metering has written it to Postgres.
  await consumer.goto(`/o/${consumerOrg}/billing`);
  await expect
    .poll(
      async () => {
        await consumer.reload();
        return consumer.getByTestId('billing-usage').first().textContent();
      },
      { timeout: 20_000, intervals: [500] },
    )
    .toBe('5 / 1,000 requests');
  await expect(consumer.getByText('No invoices yet')).toBeVisible();

  // 4. The period moves into the past; a platform admin closes periods from the billing page.
  await ageSubscription(consumerOrg, 'Route Planner');
  await signIn(admin, DEMO_ADMIN.email, DEMO_ADMIN.password);
  await admin.goto(`/o/${DEMO_ADMIN.orgSlug}/billing`);
  await admin.getByRole('button', { name: 'Close billing periods now' }).click();
  await expect(admin.getByRole('status').filter({ hasText: /invoices? created/ })).toBeVisible();

  // 5. The consumer sees the invoice: 2.00 + 5 × 0.002 = 2.01, local (no Stripe connected).
  await consumer.goto(`/o/${consumerOrg}/billing`);
  const invoices = consumer.getByRole('table', { name: 'Invoices' });
  const row = invoices.getByRole('row').filter({ hasText: 'INV-000001' });
  await expect(row).toContainText('$2.01');
  await expect(row).toContainText('OPEN');
  await row.getByRole('link', { name: 'INV-000001', exact: true }).click();
  await expect(consumer).toHaveURL(new RegExp(`/o/${consumerOrg}/invoices/[^/]+$`));
  await expect(consumer.getByRole('heading', { name: 'Invoice INV-000001' })).toBeVisible();
  await expect(consumer.getByTestId('local-invoice-note')).toHaveText(
    'Local invoice — not collected through Stripe',
  );
  const lines = consumer.getByTestId('invoice-line');
  await expect(lines).toHaveCount(2);
  await expect(lines.nth(0)).toContainText('Metered: fee for');
  await expect(lines.nth(0)).toContainText('$2.00');
  await expect(lines.nth(1).getByRole('cell')).toHaveText(['Requests: 5 × $0.002', '5', '$0.002', '$0.01']);
  await expect(consumer.getByTestId('invoice-total')).toHaveText('$2.01');
  await expectNoAxeViolations(consumer);

  // 6. Printing shows the invoice alone.
  await consumer.emulateMedia({ media: 'print' });
  await expect(consumer.locator('.site-header')).toBeHidden();
  await expect(consumer.getByRole('button', { name: 'Print' })).toBeHidden();
  await expect(consumer.getByTestId('invoice-total')).toBeVisible();
  await expect(consumer.getByTestId('local-invoice-note')).toBeVisible();
  await consumer.emulateMedia({ media: 'screen' });
  await expect(consumer.locator('.site-header')).toBeVisible();

  // 7. The CSV download has exactly the invoice's lines, amounts in exact major units.
  const [download] = await Promise.all([
    consumer.waitForEvent('download'),
    consumer.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('INV-000001.csv');
  const csv = (await readFile(await download.path(), 'utf8')).split('\r\n');
  const day = String.raw`\d{4}-\d{2}-\d{2}`;
  expect(csv[0]).toBe('invoice,period_start,period_end,kind,description,quantity,unit_price,amount,currency');
  expect(csv[1]).toMatch(
    new RegExp(`^INV-000001,${day},${day},flat_fee,Metered: fee for ${day} to ${day},1,2,2\\.00,USD$`),
  );
  expect(csv[2]).toMatch(
    new RegExp(`^INV-000001,${day},${day},usage,Requests: 5 × \\$0\\.002,5,0\\.002,0\\.01,USD$`),
  );
  expect(csv.slice(3)).toEqual(['']);

  // Another signed-in user cannot read it.
  const invoiceId = new URL(consumer.url()).pathname.split('/').pop();
  const outsider = await admin.request.get(`/api/invoices/${invoiceId}/csv`);
  expect(outsider.status()).toBe(404);
});
