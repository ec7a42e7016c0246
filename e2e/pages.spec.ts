import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import {
  createApp,
  createKey,
  createOrg,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  GATEWAY_URL,
  publishApi,
  signIn,
  signUp,
  subscribe,
  unique,
} from './helpers.ts';

/**
 * Every main page of the portal, for a provider with real traffic and a consumer with an
 * approved key, passes axe (WCAG 2.1 A/AA) and fits a phone (375 px, no horizontal scroll). With
 * E2E_SCREENSHOTS_DIR set, it also writes the README's screenshots there.
 */
const SCREENSHOTS = process.env.E2E_SCREENSHOTS_DIR;

async function sweep(page: Page, path: string, landmark: RegExp | string, shot?: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(path);
  await expect(page.getByRole('heading', { name: landmark }).first()).toBeVisible();
  // wait for client data: no loading placeholders left
  await expect(page.getByText(/^Loading/)).toHaveCount(0);
  await expectNoAxeViolations(page);
  if (SCREENSHOTS && shot) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `${shot}.png`), fullPage: false });
  }
  await page.setViewportSize({ width: 375, height: 800 });
  await expect(page.getByRole('heading', { name: landmark }).first()).toBeVisible();
  await expectNoHorizontalScroll(page);
}

test('main pages pass axe and fit a phone, for a provider and a consumer', async ({ browser, request }) => {
  test.setTimeout(900_000);
  const provider = await (await browser.newContext()).newPage();
  const consumer = await (await browser.newContext()).newPage();

  await signUp(provider, 'Paula Provider', `${unique('paula')}@example.test`);
  const providerOrg = await createOrg(provider, unique('Paula Weather'));
  const apiSlug = await publishApi(provider, providerOrg, 'Weather', {
    name: 'Basic',
    rateLimit: 100,
    windowSeconds: 60,
    monthlyQuota: 1000,
  });

  await signUp(consumer, 'Dana Developer', `${unique('dana')}@example.test`);
  const consumerOrg = await createOrg(consumer, unique('Dana Labs'));
  const appUrl = await createApp(consumer, consumerOrg, 'Forecast Bot');
  await subscribe(consumer, providerOrg, apiSlug, 'Weather', 'Forecast Bot', 'Basic');
  await provider.goto(`/o/${providerOrg}/approvals`);
  // a pending request's row fits its card on a wide screen and stacks on a phone
  const requests = provider.getByRole('table', { name: 'Pending requests' });
  await expect(requests).toContainText('Forecast Bot');
  for (const width of [1440, 375]) {
    await provider.setViewportSize({ width, height: 900 });
    await expectNoHorizontalScroll(provider);
    const [table, card] = await requests.evaluate((el) => [
      el.getBoundingClientRect().width,
      el.closest('.card')?.getBoundingClientRect().width ?? 0,
    ]);
    expect(table, `table width within its card at ${width} px`).toBeLessThanOrEqual(card);
  }
  await provider.setViewportSize({ width: 1280, height: 900 });
  await expectNoAxeViolations(provider);
  await provider.getByRole('button', { name: 'Approve' }).click();
  await expect(provider.getByText('No pending requests')).toBeVisible();
  const key = await createKey(consumer, appUrl, 'sweep');
  // Some traffic, so analytics, logs and usage have rows to render.
  await expect
    .poll(
      async () =>
        (
          await request.get(`${GATEWAY_URL}/${providerOrg}/${apiSlug}/forecast?city=Oslo`, {
            headers: { authorization: `Bearer ${key}` },
          })
        ).status(),
      { timeout: 5_000, intervals: [100] },
    )
    .toBe(200);
  for (let i = 0; i < 5; i++) {
    await request.get(`${GATEWAY_URL}/${providerOrg}/${apiSlug}/forecast?n=${i}`, {
      headers: { authorization: `Bearer ${key}` },
    });
  }

  const o = `/o/${providerOrg}`;
  await sweep(provider, '/dashboard', /dashboard|organizations/i, 'dashboard');
  await sweep(provider, o, /Paula Weather/i);
  await sweep(provider, `${o}/apis`, /APIs/i);
  await sweep(provider, `${o}/apis/${apiSlug}`, /Weather/i, 'api');
  await sweep(provider, `${o}/apis/${apiSlug}/policies`, /polic/i);
  await sweep(provider, `${o}/apis/${apiSlug}/upstream`, /upstream/i);
  await sweep(provider, `${o}/apis/${apiSlug}/versions`, /version/i);
  await sweep(provider, `${o}/apis/${apiSlug}/mcp`, /tools/i);
  await sweep(provider, `${o}/approvals`, /approval/i);
  await sweep(provider, `${o}/members`, /members/i);
  await sweep(provider, `${o}/analytics`, /analytics/i, 'analytics');
  await sweep(provider, `${o}/logs`, /log/i, 'request-logs');
  await sweep(provider, `${o}/audit`, /audit/i);
  await sweep(provider, `${o}/billing`, /billing|revenue/i, 'revenue');
  await sweep(provider, `${o}/settings/stripe`, /stripe/i);
  await sweep(provider, `${o}/settings/api-tokens`, /api tokens/i);
  await sweep(provider, '/notifications', /notifications/i);
  await sweep(provider, '/account', /your account/i);

  // the platform administrator's header: links inline on a wide screen, a menu drawer on a phone
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'demo@portcullis.dev', 'portcullis-demo-2026');
  await sweep(admin, '/admin', /platform administration/i);
  await sweep(admin, '/outbox', /outbox/i);
  for (const width of [1440, 375]) {
    await admin.setViewportSize({ width, height: 800 });
    await admin.goto('/dashboard');
    await expectNoHorizontalScroll(admin);
  }
  await admin.getByRole('button', { name: 'Menu' }).click();
  const menu = admin.getByRole('dialog', { name: 'Menu' });
  await expect(menu.getByRole('link', { name: 'Admin' })).toBeVisible();
  await expect(menu.getByRole('link', { name: 'Outbox' })).toBeVisible();
  await expect(menu.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expectNoAxeViolations(admin);
  await expectNoHorizontalScroll(admin);
  await menu.getByRole('link', { name: 'Admin' }).click();
  await expect(admin).toHaveURL(/\/admin$/);
  await expect(menu).toHaveCount(0);

  const c = `/o/${consumerOrg}`;
  await sweep(consumer, '/catalog', /catalog/i, 'catalog');
  await sweep(consumer, `/catalog/${providerOrg}/${apiSlug}`, /Weather/i, 'catalog-api');
  await sweep(consumer, `${c}/apps`, /apps/i);
  await sweep(consumer, new URL(appUrl).pathname, /Forecast Bot/i, 'app-keys');
  await sweep(consumer, `${c}/billing`, /billing|usage/i, 'consumer-billing');
});
