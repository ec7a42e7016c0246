import { randomBytes } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

export const GATEWAY_URL = `http://127.0.0.1:${process.env.E2E_GATEWAY_PORT ?? 8180}`;
export const ECHO_URL = `http://127.0.0.1:${process.env.E2E_ECHO_PORT ?? 8190}`;
export const PASSWORD = 'correct-horse-42-battery';

export const unique = (label: string) => `${label}-${randomBytes(3).toString('hex')}`;

export async function signUp(page: Page, name: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

/** Creates an organization from the dashboard and returns its slug (read from the resulting URL). */
export async function createOrg(page: Page, name: string): Promise<string> {
  await page.goto('/orgs/new');
  await page.getByLabel('Organization name').fill(name);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/o\/[^/]+$/);
  const slug = new URL(page.url()).pathname.split('/')[2];
  if (!slug) throw new Error(`no org slug in ${page.url()}`);
  return slug;
}

/**
 * The platform admin (the seeded demo user) lets an organization reach the demo echo upstream: the SSRF
 * guard refuses loopback upstreams unless a platform admin allow-lists the host for the organization.
 * The host's entry keeps the organizations it already applies to.
 */
export async function allowEchoFor(page: Page, orgSlug: string): Promise<void> {
  const browser = page.context().browser();
  if (!browser) throw new Error('no browser to open the admin session in');
  const context = await browser.newContext();
  try {
    const admin = await context.newPage();
    await signIn(admin, 'demo@portcullis.dev', 'portcullis-demo-2026');
    await admin.goto('/admin');
    const echoHost = new URL(ECHO_URL).host;
    const table = admin.getByRole('table', { name: 'Allowed hosts' });
    // The settings load after the page: read the entry only once the list (or its empty state) is shown.
    await expect(table.or(admin.getByText('No host is allowed'))).toBeVisible();
    const row = table.getByRole('row', { name: new RegExp(echoHost) });
    const current = (await row.count()) > 0 ? ((await row.locator('td').nth(1).textContent()) ?? '') : '';
    const orgs = [...new Set([...current.split(/[\s,]+/).filter((s) => /^[a-z0-9-]+$/.test(s)), orgSlug])];
    await admin.getByLabel('Host', { exact: true }).fill(echoHost);
    await admin.getByLabel('Organizations', { exact: true }).fill(orgs.join(', '));
    await admin.getByRole('button', { name: 'Add host' }).click();
    await expect(row).toContainText(orgSlug);
    await admin.getByRole('button', { name: 'Save settings' }).click();
    await expect(admin.getByText('Settings saved')).toBeVisible();
  } finally {
    await context.close();
  }
}

export interface PlanInput {
  name: string;
  rateLimit: number;
  windowSeconds: number;
  monthlyQuota: number;
}

/** Registers an API with one approval-required plan and publishes it; returns the API slug. */
export async function publishApi(
  page: Page,
  orgSlug: string,
  name: string,
  plan: PlanInput,
): Promise<string> {
  const apiSlug = unique(name.toLowerCase());
  await allowEchoFor(page, orgSlug);
  await page.goto(`/o/${orgSlug}/apis/new`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Slug').fill(apiSlug);
  await page.getByLabel('Upstream URL').fill(ECHO_URL);
  await page.getByLabel('Description').fill(`${name}, echoed.`);
  await page.getByLabel('Visibility').selectOption('PUBLIC');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${orgSlug}/apis/${apiSlug}$`));
  await expect(page.getByTestId('api-status')).toHaveText('DRAFT');
  await page.getByLabel('Plan name').fill(plan.name);
  await page.getByLabel('Rate limit (requests)').fill(String(plan.rateLimit));
  await page.getByLabel('Window (seconds)').fill(String(plan.windowSeconds));
  await page.getByLabel('Monthly quota').fill(String(plan.monthlyQuota));
  await expect(page.getByLabel('Requires approval')).toBeChecked();
  await page.getByRole('button', { name: 'Add plan' }).click();
  await expect(page.getByRole('list', { name: 'Plans' }).getByText(plan.name)).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('api-status')).toHaveText('PUBLISHED');
  return apiSlug;
}

/** Creates an app in the org and returns the app page's URL. */
export async function createApp(page: Page, orgSlug: string, name: string): Promise<string> {
  await page.goto(`/o/${orgSlug}/apps/new`);
  await page.getByLabel('App name').fill(name);
  await page.getByRole('button', { name: 'Create app' }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${orgSlug}/apps/(?!new$)[^/]+$`));
  return page.url();
}

/** Finds the API in the catalog and subscribes the named app to the named plan. */
export async function subscribe(
  page: Page,
  providerOrg: string,
  apiSlug: string,
  apiName: string,
  appName: string,
  planName: string,
) {
  // Earlier specs publish many APIs with the same name, so this provider's card may be on a later
  // catalog page (catalog.spec covers browsing): open the API's page directly.
  await page.goto(`/catalog/${providerOrg}/${apiSlug}`);
  await expect(page.getByRole('heading', { name: apiName }).first()).toBeVisible();
  await expect(page.getByTestId('gateway-url')).toHaveText(`${GATEWAY_URL}/${providerOrg}/${apiSlug}/`);
  const appSelect = page.getByLabel('App', { exact: true });
  const appId = await appSelect.locator('option', { hasText: appName }).getAttribute('value');
  await appSelect.selectOption(appId ?? '');
  await page.getByRole('button', { name: `Subscribe to ${planName}` }).click();
  // A priced plan first shows its charges and asks for confirmation.
  const pending = page.getByText('PENDING');
  const confirm = page.getByRole('dialog').getByRole('button', { name: 'Confirm and subscribe' });
  await expect(pending.or(confirm)).toBeVisible();
  if (await confirm.isVisible()) await confirm.click();
  await expect(pending).toBeVisible();
}

/**
 * Waits for running animations and transitions (a toast sliding in) to end: axe measures colour
 * contrast on what is painted, and a half-faded element is not what a reader sees. Endless ones
 * (spinners) are not waited for.
 */
async function animationsSettled(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      document
        .getAnimations()
        .every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
    null,
    { timeout: 5_000 },
  );
}

/** WCAG 2.1 A/AA checks by axe on the page as it is now: no violations. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  await animationsSettled(page);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  expect(
    results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
}

/**
 * axe as above, leaving out the parts matched by `exclude`: third-party widgets whose markup the
 * portal does not control (the API reference renderer).
 */
export async function expectNoAxeViolationsOutside(page: Page, exclude: string): Promise<void> {
  await animationsSettled(page);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .exclude(exclude)
    .analyze();
  expect(
    results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
}

/** The page fits a phone: nothing wider than the viewport. */
export async function expectNoHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, 'horizontal overflow in px').toBeLessThanOrEqual(0);
}

/** Creates a key on the app page and returns the plaintext, which the page shows once. */
export async function createKey(page: Page, appUrl: string, name: string): Promise<string> {
  await page.goto(appUrl);
  await page.getByLabel('Key name').fill(name);
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = ((await page.getByTestId('new-key').textContent()) ?? '').match(/pk_live_[0-9A-Za-z]{32}/)?.[0];
  expect(key, 'the new key is shown once').toBeTruthy();
  return key ?? '';
}

/**
 * Registers a PUBLIC API with one plan and publishes it, like publishApi, but the plan's subscriptions
 * start at once when `requiresApproval` is false. Returns the API slug.
 */
export async function publishApiWithPlan(
  page: Page,
  orgSlug: string,
  name: string,
  plan: PlanInput & { requiresApproval: boolean },
): Promise<string> {
  const apiSlug = unique(name.toLowerCase());
  await allowEchoFor(page, orgSlug);
  await page.goto(`/o/${orgSlug}/apis/new`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Slug').fill(apiSlug);
  await page.getByLabel('Upstream URL').fill(ECHO_URL);
  await page.getByLabel('Description').fill(`${name}, echoed.`);
  await page.getByLabel('Visibility').selectOption('PUBLIC');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${orgSlug}/apis/${apiSlug}$`));
  await page.getByLabel('Plan name').fill(plan.name);
  await page.getByLabel('Rate limit (requests)').fill(String(plan.rateLimit));
  await page.getByLabel('Window (seconds)').fill(String(plan.windowSeconds));
  await page.getByLabel('Monthly quota').fill(String(plan.monthlyQuota));
  await page.getByLabel('Requires approval').setChecked(plan.requiresApproval);
  await page.getByRole('button', { name: 'Add plan' }).click();
  await expect(
    page.getByRole('list', { name: 'Plans' }).getByText(plan.name, { exact: true }).first(),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('api-status')).toHaveText('PUBLISHED');
  return apiSlug;
}

/** Lets signed-out visitors browse the org's PUBLIC APIs (the tenant's catalog setting). */
export async function allowAnonymousBrowsing(page: Page, orgSlug: string): Promise<void> {
  await page.goto(`/o/${orgSlug}/apis`);
  const setting = page.getByLabel('Let signed-out visitors browse our public APIs');
  await setting.check();
  await expect(setting).toBeChecked();
  await expect(setting).toBeEnabled();
}

/**
 * Fills the first query parameter in the reference's open API client and sends until the answer shows it.
 * The client's parameter editor applies a typed value after a short debounce: a Send that beats it goes
 * out without the parameter, so type and send again until the echo shows it. Returns the response region.
 */
export async function sendWithFirstQueryParameter(client: Locator, value: string): Promise<Locator> {
  const row = client.getByRole('region', { name: 'Query Parameters' }).getByRole('row').nth(1);
  const box = row.getByRole('cell').nth(2).getByRole('textbox');
  const answer = client.getByRole('region', { name: 'Response', exact: true });
  await expect(async () => {
    await box.fill(value);
    await client.getByRole('button', { name: /^Send get request to/ }).click();
    await expect(answer).toContainText(value, { timeout: 5_000 });
  }).toPass({ timeout: 45_000 });
  return answer;
}
