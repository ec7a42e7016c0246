import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import {
  allowAnonymousBrowsing,
  createOrg,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  GATEWAY_URL,
  PASSWORD,
  publishApiWithPlan,
  signUp,
  unique,
} from './helpers.ts';

/** The developer's budget from landing on the portal to a first 200 through the gateway. */
const MAX_CLICKS = 10;
const MAX_SECONDS = 60;

let providerOrg = '';
let apiSlug = '';
const API_NAME = 'Quotes';
const PLAN = 'Hobby';

// The provider side, outside the measured journey: a PUBLIC API with an auto-approved plan, browsable
// signed out.
test.beforeAll(async ({ browser }) => {
  // Several pages and the admin's allow-list: more than one test's time on a busy machine.
  test.setTimeout(240_000);
  const context = await browser.newContext();
  const provider = await context.newPage();
  await signUp(provider, 'Petra Provider', `${unique('petra')}@example.test`);
  providerOrg = await createOrg(provider, unique('Quote Co'));
  apiSlug = await publishApiWithPlan(provider, providerOrg, API_NAME, {
    name: PLAN,
    rateLimit: 100,
    windowSeconds: 60,
    monthlyQuota: 1000,
    requiresApproval: false,
  });
  await allowAnonymousBrowsing(provider, providerOrg);
  await context.close();
});

/** Reads the request a curl snippet makes: its URL and its headers. */
function parseCurl(snippet: string): { url: string; headers: Record<string, string> } {
  const url = snippet.match(/curl -i '([^']+)'/)?.[1];
  const headers = Object.fromEntries(
    [...snippet.matchAll(/-H '([^:']+): ([^']*)'/g)].map((m) => [m[1]?.toLowerCase() ?? '', m[2] ?? '']),
  );
  if (!url) throw new Error(`no URL in the curl snippet:\n${snippet}`);
  return { url, headers };
}

test('a new developer goes from the home page to a first 200 through the gateway in a few clicks', async ({
  browser,
  request,
}) => {
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const dev = await context.newPage();
  let clicks = 0;
  const click = async (target: Locator) => {
    await target.click();
    clicks += 1;
  };
  const email = `${unique('first')}@example.test`;
  const apiPage = new RegExp(`/catalog/${providerOrg}/${apiSlug}$`);

  const started = Date.now();
  // Signed out, the home page is the public catalog.
  await dev.goto('/');
  await expect(dev).toHaveURL(/\/catalog$/);
  await click(dev.locator(`a[href="/catalog/${providerOrg}/${apiSlug}"]`));
  await expect(dev).toHaveURL(apiPage);
  await click(dev.getByRole('link', { name: 'Sign up to subscribe' }));
  await dev.getByLabel('Name').fill('Fiona First');
  await dev.getByLabel('Email').fill(email);
  await dev.getByLabel('Password').fill(PASSWORD);
  await click(dev.getByRole('button', { name: 'Create account' }));
  // Back on the API page, signed in: no organization or app yet, subscribing makes them.
  await expect(dev).toHaveURL(apiPage);
  await expect(dev.getByLabel('Name of the new app')).toHaveValue('My app');
  await click(dev.getByRole('button', { name: `Subscribe to ${PLAN}` }));
  await expect(dev.getByRole('list', { name: 'Plans' }).getByText('ACTIVE')).toBeVisible();
  await click(dev.getByRole('button', { name: 'Create API key' }));
  const curlBlock = dev.getByRole('figure', { name: 'curl command' });
  await click(curlBlock.getByRole('button', { name: 'Copy' }));
  await expect(curlBlock.getByRole('button', { name: 'Copied' })).toBeVisible();
  const snippet = await dev.evaluate(() => navigator.clipboard.readText());
  expect(snippet).toBe(await curlBlock.locator('code').textContent());

  const { url, headers } = parseCurl(snippet);
  expect(url.startsWith(`${GATEWAY_URL}/${providerOrg}/${apiSlug}/`)).toBe(true);
  expect(headers.authorization).toMatch(/^Bearer pk_live_[0-9A-Za-z]{32}$/);
  // The gateway hears of the new key and subscription within a second.
  await expect
    .poll(async () => (await request.get(url, { headers })).status(), { timeout: 5_000, intervals: [100] })
    .toBe(200);
  const seconds = (Date.now() - started) / 1000;

  console.log(`first 200 through the gateway: ${clicks} clicks, ${seconds.toFixed(1)} s`);
  expect(clicks).toBeLessThanOrEqual(MAX_CLICKS);
  expect(seconds).toBeLessThanOrEqual(MAX_SECONDS);

  // The fetch snippet carries the same key and URL; the key reveal is accessible and fits a phone.
  const fetchCode =
    (await dev.getByRole('figure', { name: 'fetch code' }).locator('code').textContent()) ?? '';
  expect(fetchCode).toContain(JSON.stringify(url));
  expect(fetchCode).toContain(headers.authorization);
  await expectNoAxeViolations(dev);
  await dev.setViewportSize({ width: 375, height: 800 });
  await expectNoHorizontalScroll(dev);
  // The new personal organization holds the app, subscribed.
  await dev
    .getByRole('region', { name: 'Your API key for My app' })
    .getByRole('link', { name: 'My app' })
    .click();
  await expect(dev.getByRole('list', { name: 'Subscriptions' })).toContainText(API_NAME);
  await expect(dev.getByRole('list', { name: 'Subscriptions' })).toContainText('ACTIVE');
  await context.close();
});

test('signed out, the catalog counts the APIs it keeps for signed-in developers', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/catalog$/);
  await expect(page.locator(`a[href="/catalog/${providerOrg}/${apiSlug}"]`)).toBeVisible();
  // The seeded demo tenant keeps its catalog to signed-in developers: counted, never named.
  await expect(page.getByTestId('hidden-apis')).toContainText(/\d+ published APIs? (is|are) not shown/);
  await expect(page.getByText('No published APIs yet')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Echo' })).toHaveCount(0);
  await expectNoAxeViolations(page);
});

/** Marks the page so a later check can tell that it was not reloaded since. */
const markPage = (page: Page) => page.evaluate(() => Object.assign(window, { notReloaded: true }));
const stillMarked = (page: Page) => page.evaluate(() => 'notReloaded' in window);

test('an app created on its own page shows in the API page at once, without a reload', async ({ page }) => {
  await signUp(page, 'Otto Org', `${unique('otto')}@example.test`);
  const org = await createOrg(page, unique('Otto Labs'));
  await page.goto(`/catalog/${providerOrg}/${apiSlug}`);
  await expect(page.getByLabel('Create it in')).toHaveValue(org);
  await markPage(page);

  await page.getByRole('link', { name: 'create the app on its own page' }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${org}/apps/new\\?returnTo=`));
  await page.getByLabel('App name').fill('Otto Bot');
  await page.getByRole('button', { name: 'Create app' }).click();

  // Back on the API page within the query cache's freshness window: the new app must be there.
  await expect(page).toHaveURL(new RegExp(`/catalog/${providerOrg}/${apiSlug}$`));
  await expect(page.getByLabel('App', { exact: true }).locator('option:checked')).toHaveText(/^Otto Bot/);
  await page.getByRole('button', { name: `Subscribe to ${PLAN}` }).click();
  await expect(page.getByRole('list', { name: 'Plans' }).getByText('ACTIVE')).toBeVisible();
  expect(await stillMarked(page), 'the page was not reloaded').toBe(true);
});
