import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import {
  allowEchoFor,
  createOrg,
  ECHO_URL,
  expectNoAxeViolationsOutside,
  expectNoHorizontalScroll,
  sendWithFirstQueryParameter,
  signIn,
  signUp,
  unique,
} from './helpers.ts';

const DEMO = { email: 'demo@portcullis.dev', password: 'portcullis-demo-2026' };
/** The seed keeps the demo key's plaintext in the data dir (keys are otherwise stored hashed). */
const demoKey = () => readFileSync(join(process.env.E2E_DATA_DIR ?? '.data/e2e', 'demo-key'), 'utf8').trim();

// The renderer (Scalar) is a third-party app whose markup the portal does not control: axe checks the
// page around it.
const expectNoAxeViolationsAroundReference = (page: Page) =>
  expectNoAxeViolationsOutside(page, '[data-testid="api-reference"]');

test('the demo API reference lists its operations and tries a query string through the gateway', async ({
  page,
}) => {
  await signIn(page, DEMO.email, DEMO.password);
  await page.goto('/catalog/demo/echo');
  const reference = page.getByTestId('api-reference');
  for (const summary of ['Say hello', 'Send a message', 'Fetch an item']) {
    await expect(reference.getByText(summary).first()).toBeVisible({ timeout: 30_000 });
  }
  await expect(reference.getByText('http://127.0.0.1', { exact: false }).first()).toBeVisible();
  await expectNoAxeViolationsAroundReference(page);

  // The key is pasted once and filled into the bearer scheme every operation asks for.
  await page.getByLabel('API key', { exact: true }).fill(demoKey());
  await page.getByRole('button', { name: 'Use this key' }).click();
  await expect(page.getByTestId('try-key-used')).toBeVisible();

  await reference
    .getByRole('button', { name: /GET\s*\/hello/ })
    .first()
    .click();
  await reference
    .getByRole('button', { name: /^Test Request/ })
    .first()
    .click();
  const client = page.getByRole('dialog', { name: 'API Client' });
  await expect(client).toBeVisible();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const response = await sendWithFirstQueryParameter(client, 'Ada Lovelace');

  // The echo's answer, through the portal's /try route and the gateway (which adds x-request-id).
  await expect(response).toContainText('200');
  await expect(response).toContainText('portcullis-echo');
  await expect(response).toContainText('x-request-id');
  await expect(response).toContainText('portcullis-try-it');
  expect(requests.some((url) => url.includes('/catalog/demo/echo/try?scalar_url='))).toBe(true);
  expect(requests.every((url) => new URL(url).origin === new URL(page.url()).origin)).toBe(true);
});

const WIDGETS_YAML = `openapi: 3.1.0
info:
  title: Widgets
  version: "2.0"
paths:
  /widgets/{id}:
    get:
      summary: Fetch a widget
      parameters:
        - name: id
          in: path
          required: true
          schema: { type: string }
      responses:
        200:
          description: The widget
`;

test('a provider imports a YAML document with a new API and edits it on the OpenAPI tab', async ({
  page,
}) => {
  await signUp(page, 'Yara Yaml', `${unique('yara')}@example.test`);
  const orgSlug = await createOrg(page, unique('Yaml Co'));
  await allowEchoFor(page, orgSlug);
  const apiSlug = unique('widgets');
  await page.goto(`/o/${orgSlug}/apis/new`);
  await page.getByLabel('Name').fill('Widgets');
  await page.getByLabel('Slug').fill(apiSlug);
  await page.getByLabel('Upstream URL').fill(ECHO_URL);
  const document = page.getByLabel('OpenAPI document (JSON or YAML)');

  // A syntax error is a field error naming the line; nothing is created.
  await document.fill('openapi: 3.1.0\npaths:\n  /x: [1,\n    a: b\n');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(document).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText(/Not valid YAML: .* at line \d+, column \d+/)).toBeVisible();

  await document.fill(WIDGETS_YAML);
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${orgSlug}/apis/${apiSlug}$`));

  // The OpenAPI tab shows the stored document (as JSON) and reports errors by line.
  await page.getByRole('navigation', { name: 'API sections' }).getByRole('link', { name: 'OpenAPI' }).click();
  await expect(page).toHaveURL(new RegExp(`/apis/${apiSlug}/openapi$`));
  const editor = page.getByLabel('Document (JSON or YAML)');
  await expect(editor).toHaveValue(/"title": "Widgets"/);
  await editor.fill('{\n  "openapi": "3.1.0",\n  "paths": {},\n}');
  await page.getByRole('button', { name: 'Save document' }).click();
  await expect(editor).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText(/Not valid JSON: .* at line 4, column 1/)).toBeVisible();
  await editor.fill(WIDGETS_YAML.replace('Fetch a widget', 'Fetch one widget'));
  await page.getByRole('button', { name: 'Save document' }).click();
  await expect(page.getByText('Document saved (OpenAPI 3.1.0, 1 paths)')).toBeVisible();

  // The catalog page (a draft, seen by its own org) renders it.
  await page.goto(`/catalog/${orgSlug}/${apiSlug}`);
  await expect(page.getByTestId('api-reference').getByText('Fetch one widget').first()).toBeVisible({
    timeout: 30_000,
  });
  await expectNoAxeViolationsAroundReference(page);
  await page.setViewportSize({ width: 375, height: 800 });
  await expectNoHorizontalScroll(page);
});
