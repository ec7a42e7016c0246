import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Page } from '@playwright/test';
import OpenAI from 'openai';
import { type FakeLlm, startFakeLlm } from '../test/fakes/llm/server.ts';
import { expect, test } from './fixtures.ts';
import {
  createApp,
  createKey,
  createOrg,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  GATEWAY_URL,
  signIn,
  signUp,
  subscribe,
  unique,
} from './helpers.ts';

// In a browser: a provider puts an OpenAI account (a local fake speaking OpenAI's wire format)
// behind an AI gateway API and a prompt API; a consumer subscribes and calls them with the official
// openai client and plain REST; the provider reads the AI call log and usage.

const REPLY = 'Hello from the fake provider today';
const REPLY_TOKENS = 6;
const PROVIDER_MODEL = 'gpt-fake-mini';

/** axe on the page as it is, then no horizontal scroll on a 375 px phone. */
async function checkPage(page: Page): Promise<void> {
  await expectNoAxeViolations(page);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 800 });
  await expectNoHorizontalScroll(page);
  if (size) await page.setViewportSize(size);
}

/**
 * The platform admin allow-lists a host for one organization on /admin (loopback is refused by the SSRF
 * guard unless listed there for the organization using it), or removes it again.
 */
async function allowHostFor(page: Page, host: string, orgSlug: string): Promise<void> {
  await page.goto('/admin');
  await page.getByLabel('Host', { exact: true }).fill(host);
  await page.getByLabel('Organizations', { exact: true }).fill(orgSlug);
  await page.getByRole('button', { name: 'Add host' }).click();
  await expect(
    page.getByRole('table', { name: 'Allowed hosts' }).getByRole('row', { name: new RegExp(host) }),
  ).toContainText(orgSlug);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved')).toBeVisible();
}

async function removeAllowedHost(page: Page, host: string): Promise<void> {
  await page.goto('/admin');
  const remove = page.getByRole('button', { name: `Remove ${host}` });
  if ((await remove.count()) === 0) return;
  await remove.click();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved')).toBeVisible();
}

async function newApi(page: Page, org: string, name: string, kind: 'AI' | 'PROMPT'): Promise<string> {
  const apiSlug = unique(name.toLowerCase());
  await page.goto(`/o/${org}/apis/new`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Slug').fill(apiSlug);
  await page.getByLabel('Kind').selectOption(kind);
  await expect(page.getByLabel('Upstream URL')).toHaveCount(0);
  await page.getByLabel('Description').fill(`${name} over the fake provider.`);
  await page.getByLabel('Visibility').selectOption('PUBLIC');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${org}/apis/${apiSlug}$`));
  await expect(page.getByTestId('api-status')).toHaveText('DRAFT');
  return apiSlug;
}

async function addPlanAndPublish(page: Page, org: string, apiSlug: string, plan: string): Promise<void> {
  await page.goto(`/o/${org}/apis/${apiSlug}`);
  await page.getByLabel('Plan name').fill(plan);
  await page.getByLabel('Rate limit (requests)').fill('100');
  await page.getByLabel('Window (seconds)').fill('60');
  await page.getByLabel('Monthly quota').fill('1000');
  await page.getByRole('button', { name: 'Add plan' }).click();
  await expect(page.getByRole('list', { name: 'Plans' }).getByText(plan)).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByTestId('api-status')).toHaveText('PUBLISHED');
}

async function approveAll(page: Page, org: string): Promise<void> {
  await page.goto(`/o/${org}/approvals`);
  await page.getByRole('button', { name: 'Approve' }).first().click();
  await expect(page.getByText('No pending requests')).toBeVisible();
}

let fake: FakeLlm;
let admin: Page;
test.beforeAll(async ({ browser }) => {
  fake = await startFakeLlm({ flavor: 'openai', reply: REPLY });
  admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'demo@portcullis.dev', 'portcullis-demo-2026');
});
// Other specs read the allow-list as the seed left it: take the fake's host out again.
test.afterAll(async () => {
  if (admin && fake) await removeAllowedHost(admin, new URL(fake.origin).host);
  await fake?.close();
});

test('an AI gateway API and a prompt API over a provider credential, called with the openai client', async ({
  browser,
  request,
}) => {
  test.setTimeout(240_000);
  // Provider: org, credential (the secret never comes back, only its hint), price row.
  const provider = await (await browser.newContext()).newPage();
  await signUp(provider, 'Ada Provider', `${unique('ada')}@example.test`);
  const org = await createOrg(provider, unique('Model Works'));
  // The fake provider listens on loopback: allowed for this organization only.
  await allowHostFor(admin, new URL(fake.origin).host, org);
  await provider.goto(`/o/${org}/ai`);
  await expect(provider.getByRole('heading', { name: 'AI gateway', level: 1 })).toBeVisible();
  await expect(provider.getByText('No credentials yet')).toBeVisible();
  await checkPage(provider);
  await provider.getByLabel('Name', { exact: true }).fill('Fake OpenAI');
  await provider.getByLabel('Provider', { exact: true }).selectOption('openai');
  await provider.getByLabel(/^Endpoint URL/).fill(fake.baseUrl);
  await provider.getByLabel('API key', { exact: true }).fill(fake.apiKey);
  await provider.getByRole('button', { name: 'Add credential' }).click();
  const credential = provider.getByRole('listitem').filter({ hasText: 'Fake OpenAI' });
  await expect(credential).toContainText(fake.baseUrl);
  await expect(credential).toContainText(`key …${fake.apiKey.slice(-4)}`);
  await expect(provider.getByLabel('API key', { exact: true })).toHaveValue('');
  expect(await provider.content()).not.toContain(fake.apiKey);
  await credential.getByRole('button', { name: 'Edit' }).click();
  await expect(credential.getByLabel(/^New API key/)).toHaveValue('');
  expect(await provider.content()).not.toContain(fake.apiKey);
  await checkPage(provider);

  const aiTabs = provider.getByRole('navigation', { name: 'AI gateway sections' });
  await aiTabs.getByRole('link', { name: 'Price table' }).click();
  await expect(provider).toHaveURL(new RegExp(`/o/${org}/ai\\?tab=prices$`));
  await expect(aiTabs.getByRole('link', { name: 'Price table' })).toHaveAttribute('aria-current', 'page');
  await expect(provider.getByText('No prices yet.')).toBeVisible();
  await provider.getByLabel('Input, USD / 1M tokens').fill('abc');
  await provider.getByLabel('Model', { exact: true }).fill(PROVIDER_MODEL);
  await provider.getByRole('button', { name: 'Add price' }).click();
  await expect(provider.getByLabel('Input, USD / 1M tokens')).toHaveAttribute('aria-invalid', 'true');
  // $1,000 / $2,000 per million tokens: 4 prompt + 6 completion tokens cost $0.016.
  await provider.getByLabel('Input, USD / 1M tokens').fill('1000');
  await provider.getByLabel('Output, USD / 1M tokens').fill('2000');
  await provider.getByRole('button', { name: 'Add price' }).click();
  const prices = provider.getByRole('table', { name: 'Model prices' });
  await expect(prices.getByRole('row').filter({ hasText: PROVIDER_MODEL })).toContainText('$1000');
  await checkPage(provider);

  // An AI gateway API: the model route `fast` → the credential's gpt-fake-mini; a plan with AI limits.
  const aiSlug = await newApi(provider, org, 'Chat', 'AI');
  await provider
    .getByRole('navigation', { name: 'API sections' })
    .getByRole('link', { name: 'Model routes' })
    .click();
  await expect(provider).toHaveURL(new RegExp(`/o/${org}/apis/${aiSlug}/ai$`));
  await expect(provider.getByText('No model routes')).toBeVisible();
  await provider.getByRole('button', { name: 'Add route' }).click();
  await provider.getByLabel('Model name callers use').fill('fast');
  await expect(provider.getByLabel('Target 1 credential')).toHaveValue(/.+/);
  await provider.getByLabel('Provider model').fill(PROVIDER_MODEL);
  await provider.getByRole('button', { name: 'Save routes' }).click();
  await expect(provider.getByText('Routes saved')).toBeVisible();
  await provider.reload();
  await expect(provider.getByLabel('Model name callers use')).toHaveValue('fast');
  await expect(provider.getByLabel('Provider model')).toHaveValue(PROVIDER_MODEL);
  await checkPage(provider);

  await addPlanAndPublish(provider, org, aiSlug, 'Tokens');
  const aiLimits = provider.getByRole('region', { name: 'AI limits' });
  await expect(aiLimits).toContainText('AI limits: none');
  await aiLimits.getByRole('button', { name: 'Edit AI limits' }).click();
  await aiLimits.getByRole('button', { name: 'Add limit' }).click();
  await aiLimits.getByLabel('Tokens', { exact: true }).fill('100000');
  await aiLimits.getByRole('button', { name: 'Save AI limits' }).click();
  await expect(aiLimits.getByText('AI limits saved')).toBeVisible();
  await expect(aiLimits).toContainText('100000 tokens per minute for each API key');
  await checkPage(provider);

  // Consumer: org, app, subscription from the catalog (with the openai snippet), approval, key.
  const consumer = await (await browser.newContext()).newPage();
  await signUp(consumer, 'Cal Consumer', `${unique('cal')}@example.test`);
  const consumerOrg = await createOrg(consumer, unique('Cal Labs'));
  const appUrl = await createApp(consumer, consumerOrg, 'Chat Bot');
  await subscribe(consumer, org, aiSlug, 'Chat', 'Chat Bot', 'Tokens');
  await expect(consumer.getByTestId('how-to-call')).toContainText(
    `baseURL: '${GATEWAY_URL}/${org}/${aiSlug}/v1'`,
  );
  await approveAll(provider, org);
  const key = await createKey(consumer, appUrl, 'llm');

  // The official openai client through the gateway: models, a completion and a stream.
  const base = `${GATEWAY_URL}/${org}/${aiSlug}/v1`;
  await expect
    .poll(
      async () =>
        (await request.get(`${base}/models`, { headers: { authorization: `Bearer ${key}` } })).status(),
      { timeout: 5_000, intervals: [100] },
    )
    .toBe(200);
  const client = new OpenAI({ baseURL: base, apiKey: key ?? '', maxRetries: 0 });
  expect((await client.models.list()).data.map((m) => m.id)).toContain('fast');
  const completion = await client.chat.completions.create({
    model: 'fast',
    messages: [{ role: 'user', content: 'Say hello to everyone' }],
  });
  expect(completion.choices[0]?.message.content).toBe(REPLY);
  expect(completion.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: REPLY_TOKENS });
  expect(fake.lastRequest().body).toMatchObject({ model: PROVIDER_MODEL });
  const stream = await client.chat.completions.create({
    model: 'fast',
    messages: [{ role: 'user', content: 'Stream a hello to everyone' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let streamed = '';
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    streamed += chunk.choices[0]?.delta.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  expect(streamed).toBe(REPLY);
  expect(usage).toMatchObject({ prompt_tokens: 5, completion_tokens: REPLY_TOKENS });

  // The provider's call log and usage: both calls with model, provider, tokens and cost.
  await provider.goto(`/o/${org}/ai`);
  await provider
    .getByRole('navigation', { name: 'AI gateway sections' })
    .getByRole('link', { name: 'Call log & usage' })
    .click();
  await expect(provider).toHaveURL(new RegExp(`/o/${org}/ai\\?tab=calls$`));
  const callRows = provider
    .getByRole('table', { name: 'AI calls' })
    .getByRole('row')
    .filter({ hasText: 'fast' });
  // The log is written after the calls: reload until both are there, giving each load time to fetch.
  await expect(async () => {
    await provider.reload();
    await expect(callRows).toHaveCount(2, { timeout: 5_000 });
  }).toPass({ timeout: 30_000, intervals: [1_000] });
  const first = callRows.filter({ hasText: '4 / 6' });
  await expect(first).toContainText(`fast → ${PROVIDER_MODEL}`);
  await expect(first).toContainText('openai');
  await expect(first).toContainText('200');
  await expect(first).toContainText('$0.016');
  await expect(callRows.filter({ hasText: '5 / 6' })).toContainText('$0.017');
  // Totals: 2 calls, 4 + 5 tokens in, 6 + 6 out, $0.016 + $0.017.
  const totals = provider.getByRole('table', { name: 'Totals per model' }).getByRole('row');
  await expect(totals).toHaveCount(2);
  await expect(totals.nth(1).getByRole('cell')).toHaveText([/fast|gpt-fake-mini/, '2', '9', '12', '$0.033']);
  await checkPage(provider);

  // A prompt API: template with {{text}}, an input schema, POST /v1/run; bad input is a 400.
  const promptSlug = await newApi(provider, org, 'Summary', 'PROMPT');
  await provider
    .getByRole('navigation', { name: 'API sections' })
    .getByRole('link', { name: 'Prompt' })
    .click();
  await expect(provider).toHaveURL(new RegExp(`/o/${org}/apis/${promptSlug}/prompt$`));
  await provider.getByLabel('System template').fill('You summarise text.');
  await provider.getByLabel('User template').fill('Summarise: {{text}}');
  await provider.getByLabel('Input JSON Schema (the request body)').fill(
    JSON.stringify({
      type: 'object',
      required: ['text'],
      properties: { text: { type: 'string', minLength: 1 } },
      additionalProperties: false,
    }),
  );
  await provider.getByLabel('Provider model').fill(PROVIDER_MODEL);
  await provider.getByRole('button', { name: 'Save prompt' }).click();
  await expect(provider.getByText('Prompt saved; documentation regenerated')).toBeVisible();
  await checkPage(provider);
  await addPlanAndPublish(provider, org, promptSlug, 'Runs');

  await subscribe(consumer, org, promptSlug, 'Summary', 'Chat Bot', 'Runs');
  await expect(consumer.getByTestId('how-to-call')).toContainText(
    `curl -X POST '${GATEWAY_URL}/${org}/${promptSlug}/v1/run'`,
  );
  await expect(consumer.getByTestId('how-to-call')).toContainText(`'{"text":"your text"}'`);
  await approveAll(provider, org);
  const run = (data: unknown) =>
    request.post(`${GATEWAY_URL}/${org}/${promptSlug}/v1/run`, {
      headers: { authorization: `Bearer ${key}` },
      data,
    });
  await expect
    .poll(async () => (await run({ text: 'the gateway works' })).status(), {
      timeout: 5_000,
      intervals: [100],
    })
    .toBe(200);
  const ran = await (await run({ text: 'the gateway works' })).json();
  expect(ran.output).toBe(REPLY);
  expect(ran.usage).toMatchObject({ completion_tokens: REPLY_TOKENS });
  expect(fake.lastRequest().body).toMatchObject({
    model: PROVIDER_MODEL,
    messages: [
      { role: 'system', content: 'You summarise text.' },
      { role: 'user', content: 'Summarise: the gateway works' },
    ],
  });
  const bad = await run({ txt: 'typo' });
  expect(bad.status()).toBe(400);
  expect(bad.headers()['content-type']).toContain('application/problem+json');
  expect((await bad.json()).code).toBe('request_invalid');

  // Versions: publish the working copy as v1, edit and publish v2, then release one and the other; each
  // answer names its version and runs that version's template.
  const publishVersion = async (note: string, number: number) => {
    await provider.getByLabel('Note').fill(note);
    await provider.getByRole('button', { name: 'Publish version' }).click();
    await expect(provider.getByText(`Published version ${number}`)).toBeVisible();
  };
  await provider.goto(`/o/${org}/apis/${promptSlug}/prompt`);
  await publishVersion('first wording', 1);
  await provider.getByLabel('User template').fill('Shorten: {{text}}');
  await provider.getByRole('button', { name: 'Save prompt' }).click();
  await expect(provider.getByText('Prompt saved; documentation regenerated')).toBeVisible();
  await publishVersion('shorter wording', 2);
  const runsVersion = async (number: number, template: string) => {
    await expect
      .poll(async () => (await run({ text: 'x' })).headers()['x-portcullis-prompt-version'], {
        timeout: 10_000,
        intervals: [200],
      })
      .toBe(String(number));
    expect(fake.lastRequest().body).toMatchObject({
      messages: [{ role: 'system' }, { role: 'user', content: `${template}: x` }],
    });
  };
  await provider.getByRole('button', { name: 'Release version 1 to all traffic' }).click();
  await expect(provider.getByTestId('prompt-release')).toHaveText('Live calls run version 1.');
  await runsVersion(1, 'Summarise');
  await provider.getByRole('button', { name: 'Release version 2 to all traffic' }).click();
  await expect(provider.getByTestId('prompt-release')).toHaveText('Live calls run version 2.');
  await runsVersion(2, 'Shorten');
  await checkPage(provider);

  // The prompt API offered to agents as the MCP tool `run`: the official MCP client with the consumer's
  // key lists it with the prompt's schema and runs the released version through it.
  await provider.getByRole('navigation', { name: 'API sections' }).getByRole('link', { name: 'MCP' }).click();
  await expect(provider.getByRole('heading', { name: 'Prompt offered as a tool' })).toBeVisible();
  await provider.getByRole('checkbox', { name: 'Offer this API as an MCP server' }).check();
  await provider.getByRole('button', { name: 'Save MCP settings' }).click();
  await expect(provider.getByText('MCP settings saved')).toBeVisible();
  await checkPage(provider);
  await expect
    .poll(() => mcpTools(`${GATEWAY_URL}/${org}/${promptSlug}/mcp`, key ?? ''), { timeout: 15_000 })
    .toEqual([{ name: 'run', required: ['text'] }]);
  const answer = await mcpCall(`${GATEWAY_URL}/${org}/${promptSlug}/mcp`, key ?? '', 'run', {
    text: 'agents too',
  });
  expect(answer).toEqual({ isError: false, text: REPLY });
  expect(fake.lastRequest().body).toMatchObject({
    messages: [{ role: 'system' }, { role: 'user', content: 'Shorten: agents too' }],
  });

  // A model route with guardrails of its own: a deny list on `fast` blocks a call the API's (none) let
  // through, for SDK callers and for agents calling the AI API's `chat` tool alike.
  await provider.goto(`/o/${org}/apis/${aiSlug}/ai`);
  const routeGuardrails = provider.getByRole('group', { name: 'Guardrails of route fast' });
  await routeGuardrails.getByRole('radio', { name: 'Own guardrails for this route' }).check();
  await routeGuardrails.getByRole('button', { name: 'Add rule to route fast' }).click();
  const rule = routeGuardrails.getByRole('group', { name: 'Rule 1' });
  await rule.getByLabel('Type').selectOption('deny');
  await rule.getByLabel('When it matches').selectOption('block');
  await rule.getByLabel('Words, phrases or topics').fill('launch code');
  // the rule's group takes its name once it has one
  await rule.getByLabel('Rule name').fill('no-launch-codes');
  await expect(routeGuardrails.getByRole('group', { name: 'no-launch-codes' })).toBeVisible();
  await provider.getByRole('button', { name: 'Save routes' }).click();
  await expect(provider.getByText('Routes saved')).toBeVisible();
  await checkPage(provider);
  const askForCodes = () =>
    client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'the launch code?' }],
    });
  await expect
    .poll(
      async () =>
        askForCodes().then(
          () => 'answered',
          (error: { code?: string }) => error.code,
        ),
      {
        timeout: 10_000,
        intervals: [200],
      },
    )
    .toBe('guardrail_blocked');

  await provider.goto(`/o/${org}/apis/${aiSlug}/mcp`);
  await expect(provider.getByRole('heading', { name: 'Models offered as a tool' })).toBeVisible();
  await provider.getByRole('checkbox', { name: 'Offer this API as an MCP server' }).check();
  await provider.getByRole('checkbox', { name: 'fast' }).check();
  await provider.getByRole('button', { name: 'Save MCP settings' }).click();
  await expect(provider.getByText('MCP settings saved')).toBeVisible();
  await checkPage(provider);
  const chatUrl = `${GATEWAY_URL}/${org}/${aiSlug}/mcp`;
  await expect
    .poll(() => mcpTools(chatUrl, key ?? ''), { timeout: 15_000 })
    .toEqual([{ name: 'chat', required: ['prompt'] }]);
  expect(await mcpCall(chatUrl, key ?? '', 'chat', { prompt: 'Say hello' })).toEqual({
    isError: false,
    text: REPLY,
  });
  const blocked = await mcpCall(chatUrl, key ?? '', 'chat', { prompt: 'the launch code?' });
  expect(blocked.isError).toBe(true);
  expect(blocked.text).toContain('guardrail_blocked');
});

/** The official MCP client with a consumer's key: each tool's name and required arguments. */
async function mcpTools(url: string, key: string) {
  return withMcp(url, key, async (client) =>
    (await client.listTools()).tools.map((tool) => ({
      name: tool.name,
      required: tool.inputSchema.required,
    })),
  );
}

async function mcpCall(url: string, key: string, name: string, args: Record<string, unknown>) {
  return withMcp(url, key, async (client) => {
    const result = await client.callTool({ name, arguments: args });
    const parts = result.content as { type: string; text?: string }[];
    return { isError: result.isError === true, text: parts.map((part) => part.text ?? '').join('\n') };
  });
}

async function withMcp<T>(url: string, key: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ name: 'e2e-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}
