import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import {
  createApp,
  createOrg,
  expectNoAxeViolations,
  expectNoAxeViolationsOutside,
  expectNoHorizontalScroll,
  GATEWAY_URL,
  publishApi,
  sendWithFirstQueryParameter,
  signUp,
  subscribe,
  unique,
} from './helpers.ts';

const forecastSpec = (opts: { cityRequired: boolean; with404: boolean }) => ({
  openapi: '3.1.0',
  info: { title: 'Weather', version: '1.0.0', description: 'Forecasts by city.' },
  tags: [{ name: 'forecasts', description: 'What the sky will do' }],
  paths: {
    '/forecast': {
      get: {
        tags: ['forecasts'],
        summary: 'Forecast for a city',
        parameters: [
          {
            name: 'city',
            in: 'query',
            required: opts.cityRequired,
            schema: { type: 'string', example: 'Oslo' },
          },
        ],
        responses: {
          '200': {
            description: 'The forecast',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['city'],
                  properties: {
                    city: { type: 'string' },
                    days: {
                      type: 'array',
                      items: { type: 'object', properties: { high: { type: 'number' } } },
                    },
                  },
                },
              },
            },
          },
          ...(opts.with404 ? { '404': { description: 'Unknown city' } } : {}),
        },
      },
    },
  },
});

async function setOpenApiDocument(page: Page, orgSlug: string, apiSlug: string, doc: unknown) {
  await page.goto(`/o/${orgSlug}/apis/${apiSlug}/openapi`);
  await page.getByLabel('Document (JSON or YAML)').fill(JSON.stringify(doc, null, 2));
  await page.getByRole('button', { name: 'Save document' }).click();
  await expect(page.getByLabel('Document (JSON or YAML)')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('button', { name: 'Save document' })).toBeEnabled();
}

async function setTags(page: Page, orgSlug: string, apiSlug: string, tags: string) {
  await page.goto(`/o/${orgSlug}/apis/${apiSlug}`);
  await page.getByLabel('Tags').fill(tags);
  await page.getByRole('button', { name: 'Save details' }).click();
  await expect(page.getByText('Saved', { exact: true })).toBeVisible();
}

async function publishVersion(page: Page, orgSlug: string, apiSlug: string, version: string) {
  await page.goto(`/o/${orgSlug}/apis/${apiSlug}/versions`);
  await page.getByLabel('Version', { exact: true }).fill(version);
  await page.getByRole('button', { name: 'Publish version' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Published ${version}` })).toBeVisible();
}

const newKeyText = async (page: Page) =>
  ((await page.getByTestId('new-key').textContent()) ?? '').match(/pk_live_[0-9A-Za-z]{32}/)?.[0] ?? '';

test('catalog search and filters, rendered docs, versions side by side, accessible at phone width', async ({
  browser,
}) => {
  const provider = await (await browser.newContext()).newPage();
  const developer = await (await browser.newContext({ viewport: { width: 375, height: 800 } })).newPage();
  const word = unique('aurora').replace('-', '');

  await signUp(provider, 'Cat Alog', `${unique('cat')}@example.test`);
  const providerOrgName = unique('Sky Data');
  const providerOrg = await createOrg(provider, providerOrgName);
  const weather = await publishApi(provider, providerOrg, 'Weather', {
    name: 'Basic',
    rateLimit: 10,
    windowSeconds: 60,
    monthlyQuota: 100,
  });
  await setTags(provider, providerOrg, weather, `${word}, Weather`);
  await setOpenApiDocument(
    provider,
    providerOrg,
    weather,
    forecastSpec({ cityRequired: false, with404: true }),
  );
  const ledger = await publishApi(provider, providerOrg, 'Ledger', {
    name: 'Gold',
    rateLimit: 10,
    windowSeconds: 60,
    monthlyQuota: 100,
  });

  await signUp(developer, 'Dev Eloper', `${unique('dev')}@example.test`);
  await developer.goto('/catalog');
  await expectNoAxeViolations(developer);
  await expectNoHorizontalScroll(developer);

  // Search is case-insensitive over name, description and tags; the URL keeps the filters.
  const results = developer.getByRole('list', { name: 'APIs' });
  await developer.getByLabel('Search', { exact: true }).fill(word.toUpperCase());
  await expect(developer).toHaveURL(new RegExp(`q=${word.toUpperCase()}`));
  await expect(results.locator(`a[href="/catalog/${providerOrg}/${weather}"]`)).toBeVisible();
  await expect(results.locator(`a[href="/catalog/${providerOrg}/${ledger}"]`)).toHaveCount(0);
  await expect(developer.getByTestId('catalog-count')).toHaveText(/^1 API/);

  // Filters: provider and tag narrow the list; a status with nothing in it shows the empty state.
  await developer.getByLabel('Search', { exact: true }).fill('');
  await developer.getByLabel('Provider', { exact: true }).selectOption({ label: providerOrgName });
  await expect(developer).toHaveURL(new RegExp(`org=${providerOrg}`));
  await expect(developer.getByTestId('catalog-count')).toHaveText(/^2 APIs/);
  await developer.getByLabel('Tag', { exact: true }).selectOption(word);
  await expect(developer.getByTestId('catalog-count')).toHaveText(/^1 API/);
  await expect(results.locator(`a[href="/catalog/${providerOrg}/${weather}"]`)).toBeVisible();
  await developer.getByLabel('Status', { exact: true }).selectOption('DEPRECATED');
  await expect(developer.getByText('No APIs match these filters.')).toBeVisible();
  await developer.getByRole('button', { name: 'Clear filters' }).click();
  await expect(developer).toHaveURL(/\/catalog$/);

  // The API page renders the OpenAPI document: operations by tag, parameters.
  await developer.goto(`/catalog/${providerOrg}/${weather}`);
  const docs = developer.getByTestId('api-reference');
  await expect(docs.getByText('Forecast for a city').first()).toBeVisible({ timeout: 30_000 });
  await expect(docs.getByText('forecasts').first()).toBeVisible();
  await expect(developer.getByTestId('plan-price').first()).toHaveText('Free');
  await expect(developer.getByRole('list', { name: 'Changelog' })).toContainText('Published v1');
  await expectNoAxeViolationsOutside(developer, '[data-testid="api-reference"]');
  await expectNoHorizontalScroll(developer);

  // Two published versions, the second with breaking changes: side by side with the diff.
  await publishVersion(provider, providerOrg, weather, 'v2');
  await setOpenApiDocument(
    provider,
    providerOrg,
    weather,
    forecastSpec({ cityRequired: true, with404: false }),
  );
  await publishVersion(provider, providerOrg, weather, 'v3');
  await developer.goto(`/catalog/${providerOrg}/${weather}/versions?from=v2&to=v3`);
  await expect(developer.getByTestId('diff-summary')).toHaveText('2 breaking changes, 0 compatible changes');
  const changes = developer.getByRole('list', { name: 'Changes' });
  await expect(changes).toContainText('The query parameter city is now required');
  await expect(changes).toContainText('The response 404 was removed');
  await expect(developer.getByRole('heading', { name: 'v2', exact: true })).toBeVisible();
  await expect(developer.getByRole('heading', { name: 'v3', exact: true })).toBeVisible();
  await expectNoAxeViolationsOutside(developer, '[data-testid="api-reference"]');
  await developer.goto(`/catalog/${providerOrg}/${weather}`);
  await expect(
    developer.getByRole('list', { name: 'Changelog' }).getByText('breaking', { exact: true }),
  ).toBeVisible();
});

test('try-it console, key rotation with a grace period, deprecation notice and headers', async ({
  browser,
  request,
}) => {
  const provider = await (await browser.newContext()).newPage();
  const consumer = await (await browser.newContext()).newPage();
  await signUp(provider, 'Tia Tryit', `${unique('tia')}@example.test`);
  const providerOrg = await createOrg(provider, unique('Console Co'));
  const apiSlug = await publishApi(provider, providerOrg, 'Weather', {
    name: 'Basic',
    rateLimit: 100,
    windowSeconds: 60,
    monthlyQuota: 1000,
  });
  await setOpenApiDocument(
    provider,
    providerOrg,
    apiSlug,
    forecastSpec({ cityRequired: true, with404: true }),
  );

  await signUp(consumer, 'Cody Consumer', `${unique('cody')}@example.test`);
  const consumerOrg = await createOrg(consumer, unique('Cody Labs'));
  const appUrl = await createApp(consumer, consumerOrg, 'Sky Bot');
  await subscribe(consumer, providerOrg, apiSlug, 'Weather', 'Sky Bot', 'Basic');
  await provider.goto(`/o/${providerOrg}/approvals`);
  await provider
    .getByRole('row')
    .filter({ hasText: 'Sky Bot' })
    .getByRole('button', { name: 'Approve' })
    .click();
  await expect(provider.getByText('No pending requests')).toBeVisible();

  await consumer.goto(appUrl);
  await consumer.getByLabel('Key name').fill('console');
  await consumer.getByRole('button', { name: 'Create key' }).click();
  const firstKey = await newKeyText(consumer);
  expect(firstKey, 'the new key is shown once').toMatch(/^pk_live_/);
  const call = (key: string) =>
    request.get(`${GATEWAY_URL}/${providerOrg}/${apiSlug}/forecast?city=Oslo`, {
      headers: { authorization: `Bearer ${key}` },
    });
  await expect.poll(async () => (await call(firstKey)).status(), { timeout: 5_000 }).toBe(200);

  // Try it: the console lists the subscribed app, takes the pasted key and shows the gateway's answer.
  await consumer.goto(`/catalog/${providerOrg}/${apiSlug}`);
  await expect(consumer.getByRole('list', { name: 'Subscribed with' })).toContainText('Sky Bot');
  await consumer.getByLabel('API key', { exact: true }).fill(firstKey);
  await consumer.getByRole('button', { name: 'Use this key' }).click();
  const reference = consumer.getByTestId('api-reference');
  await reference
    .getByRole('button', { name: /GET\s*\/forecast/ })
    .first()
    .click();
  await reference
    .getByRole('button', { name: /^Test Request/ })
    .first()
    .click();
  const client = consumer.getByRole('dialog', { name: 'API Client' });
  const answer = await sendWithFirstQueryParameter(client, 'Bergen');
  await expect(answer).toContainText('200');
  await client.getByRole('button', { name: 'Close Client' }).click();
  await expect(consumer.getByLabel('API key', { exact: true })).toHaveValue(firstKey);
  await expectNoAxeViolationsOutside(consumer, '[data-testid="api-reference"]');

  // Rotate with a one-hour grace: a new key is shown once, and both keys work meanwhile.
  await consumer.goto(appUrl);
  const row = consumer.getByRole('row').filter({ hasText: 'console' }).first();
  await row.getByRole('button', { name: /^Rotate/ }).click();
  await row.getByLabel('Old key keeps working for').selectOption({ label: '1 hour' });
  await row.getByRole('button', { name: 'Rotate key' }).click();
  await expect(consumer.getByTestId('new-key')).toBeVisible();
  const secondKey = await newKeyText(consumer);
  expect(secondKey).toMatch(/^pk_live_/);
  expect(secondKey).not.toBe(firstKey);
  await expect.poll(async () => (await call(secondKey)).status(), { timeout: 5_000 }).toBe(200);
  expect((await call(firstKey)).status()).toBe(200);
  await expect(consumer.getByRole('row').filter({ hasText: 'in 59 minutes' })).toHaveCount(1);

  // Deprecate with a sunset date: the subscriber is notified and the gateway announces it.
  await provider.goto(`/o/${providerOrg}/apis/${apiSlug}`);
  const sunset = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  await provider.getByLabel('Sunset date').fill(sunset);
  await provider.getByLabel('Message to subscribers (optional)').fill('Move to Weather v2.');
  await provider.getByRole('button', { name: 'Deprecate API' }).click();
  await expect(provider.getByTestId('api-status')).toHaveText('DEPRECATED');

  await consumer.goto('/notifications');
  const notification = consumer
    .getByRole('list', { name: 'Notifications' })
    .getByText('Weather is deprecated');
  await expect(notification).toBeVisible();
  await expect(consumer.getByRole('list', { name: 'Notifications' })).toContainText('Move to Weather v2.');

  await expect
    .poll(async () => (await call(secondKey)).headers().sunset ?? '', { timeout: 5_000 })
    .toBe(new Date(`${sunset}T23:59:59Z`).toUTCString());
  const deprecated = await call(secondKey);
  expect(deprecated.status()).toBe(200);
  expect(deprecated.headers().deprecation).toMatch(/^@\d{10}$/);
  const deprecatedAt = Number(deprecated.headers().deprecation?.slice(1)) * 1000;
  expect(Math.abs(Date.now() - deprecatedAt)).toBeLessThan(10 * 60_000);

  await consumer.goto(`/catalog/${providerOrg}/${apiSlug}`);
  await expect(consumer.getByTestId('deprecation-banner')).toContainText('Sunset on');
  await expectNoAxeViolationsOutside(consumer, '[data-testid="api-reference"]');
});
