import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect, test } from './fixtures.ts';
import {
  expectNoAxeViolations,
  expectNoAxeViolationsOutside,
  GATEWAY_URL,
  signIn,
  unique,
} from './helpers.ts';

const DEMO = { email: 'demo@portcullis.dev', password: 'portcullis-demo-2026' };
/** The seed keeps the demo key's plaintext in the data dir (keys are otherwise stored hashed). */
const demoKey = () => readFileSync(join(process.env.E2E_DATA_DIR ?? '.data/e2e', 'demo-key'), 'utf8').trim();

async function toolNames(url: string, key: string): Promise<string[]> {
  const client = new Client({ name: 'e2e-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  try {
    return (await client.listTools()).tools.map((tool) => tool.name).sort();
  } finally {
    await client.close();
  }
}

test('a provider picks the tools of its MCP server; an agent sees exactly those', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, DEMO.email, DEMO.password);
  await page.goto('/o/demo/apis/echo/mcp');
  await expect(page.getByRole('heading', { name: 'Operations offered as tools' })).toBeVisible();
  await expect(page.getByText(`${GATEWAY_URL}/demo/echo/mcp`).first()).toBeVisible();
  await expectNoAxeViolations(page);

  const postMessage = page.getByRole('checkbox', { name: /postMessage/ });
  await expect(postMessage).toBeChecked();
  await postMessage.uncheck();
  await page.getByRole('button', { name: 'Save MCP settings' }).click();
  await expect(page.getByText('MCP settings saved')).toBeVisible();

  // The official MCP client with the demo app's key, from outside: the saved choice is what it gets.
  const key = demoKey();
  await expect
    .poll(() => toolNames(`${GATEWAY_URL}/demo/echo/mcp`, key), { timeout: 15_000 })
    .toEqual(['getItem', 'hello']);
  await expect
    .poll(() => toolNames(`${GATEWAY_URL}/mcp`, key), { timeout: 15_000 })
    .toEqual(['echo.getItem', 'echo.hello']);

  // The consumer side: the app page says where an agent connects.
  await page.goto('/o/demo/apps');
  await page.getByRole('link', { name: 'Demo App' }).click();
  await expect(page.getByRole('heading', { name: 'Connect your agent' })).toBeVisible();
  await expect(page.getByTestId('app-mcp-url')).toContainText(`${GATEWAY_URL}/mcp`);

  // Put the demo back as the seed made it.
  await page.goto('/o/demo/apis/echo/mcp');
  await page.getByRole('checkbox', { name: /postMessage/ }).check();
  await page.getByRole('button', { name: 'Save MCP settings' }).click();
  await expect(page.getByText('MCP settings saved')).toBeVisible();
});

test('an org token made in the portal drives the management API until it is revoked', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await signIn(page, DEMO.email, DEMO.password);
  await page.goto('/o/demo/settings/api-tokens');
  await expect(page.getByRole('heading', { name: /api tokens/i }).first()).toBeVisible();
  await page.getByRole('button', { name: 'New token' }).click();
  const dialog = page.getByRole('dialog', { name: 'New API token' });
  const tokenName = unique('automation');
  await dialog.getByLabel('Name', { exact: true }).fill(tokenName);
  await dialog.getByLabel('APIs', { exact: true }).click();
  await page.getByRole('option', { name: 'Read', exact: true }).click();
  await dialog.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByLabel('Token', { exact: true }).inputValue();
  expect(token).toMatch(/^pcm_/);
  await expectNoAxeViolations(page);

  const apis = await request.get('/api/v1/apis', { headers: { authorization: `Bearer ${token}` } });
  expect(apis.status()).toBe(200);
  expect(JSON.stringify(await apis.json())).toContain('"echo"');
  // read scope only: a write is refused, naming the scope it needs
  const create = await request.post('/api/v1/apis', {
    headers: { authorization: `Bearer ${token}` },
    data: { name: 'Nope', slug: 'nope', upstreamUrl: 'http://127.0.0.1:9/' },
  });
  expect(create.status()).toBe(403);
  expect(create.headers()['content-type']).toContain('application/problem+json');

  await page.getByRole('button', { name: `Revoke ${tokenName}` }).click();
  await expect
    .poll(
      async () =>
        (await request.get('/api/v1/apis', { headers: { authorization: `Bearer ${token}` } })).status(),
      { timeout: 5_000 },
    )
    .toBe(401);

  // The reference the tokens page links to, rendered from /api/v1/openapi.json (the renderer is third-party
  // markup: axe checks the page around it).
  await page.goto('/docs/management-api');
  await expect(page.getByRole('heading', { name: 'Management API', level: 1 })).toBeVisible();
  await expect(page.getByTestId('management-api-reference')).toContainText("List the org's APIs", {
    timeout: 30_000,
  });
  await expectNoAxeViolationsOutside(page, '[data-testid="management-api-reference"]');
});
