import type { APIResponse, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { allowEchoFor, createOrg, ECHO_URL, signUp, unique } from './helpers.ts';

/**
 * The portal's pages run scripts by per-response nonce only: Next.js' own inline scripts carry the
 * nonce of the response's Content-Security-Policy, and script-src allows no other inline script.
 */

function policiesOf(res: APIResponse): string[] {
  return res
    .headersArray()
    .filter((h) => h.name.toLowerCase() === 'content-security-policy')
    .map((h) => h.value);
}

function scriptSrc(policy: string): string {
  return (
    policy
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith('script-src ')) ?? ''
  );
}

/** The response's one policy and its nonce, checked to allow no inline script without it. */
async function noncedPage(res: APIResponse): Promise<{ nonce: string; html: string }> {
  expect(res.status()).toBe(200);
  const policies = policiesOf(res);
  expect(policies, 'exactly one Content-Security-Policy').toHaveLength(1);
  const scripts = scriptSrc(policies[0] ?? '');
  expect(scripts).not.toContain("'unsafe-inline'");
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(scripts)?.[1];
  expect(nonce, `a nonce in ${scripts}`).toBeTruthy();
  return { nonce: nonce ?? '', html: await res.text() };
}

/** Every script element in the HTML carries the nonce (Next's bootstrap, flight data and chunks). */
function expectScriptsNonced(html: string, nonce: string): void {
  const tags = html.match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length).toBeGreaterThan(0);
  const inline = tags.filter((tag) => !/\bsrc=/.test(tag));
  expect(inline.length, 'Next.js inlines its flight data').toBeGreaterThan(0);
  for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
}

/** Records CSP violations the page reports, as events and as console errors. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  await page.exposeFunction('reportCspViolation', (text: string) => seen.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { reportCspViolation: (t: string) => void }).reportCspViolation;
      report(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  return seen;
}

test('pages answer with a fresh script nonce that every script carries, and no inline allowance', async ({
  request,
}) => {
  const first = await noncedPage(await request.get('/signin'));
  const second = await noncedPage(await request.get('/signin'));
  expect(second.nonce).not.toBe(first.nonce);
  expectScriptsNonced(first.html, first.nonce);
  expectScriptsNonced(second.html, second.nonce);

  const catalog = await noncedPage(await request.get('/catalog'));
  expectScriptsNonced(catalog.html, catalog.nonce);

  // Routes the proxy does not see keep a static policy without any inline script.
  const api = await request.get('/api/auth/session');
  const apiPolicies = policiesOf(api);
  expect(apiPolicies).toHaveLength(1);
  expect(scriptSrc(apiPolicies[0] ?? '')).toBe("script-src 'self'");
});

test('signing up, creating an org and an API and browsing the main pages raise no CSP violation', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const violations = await watchViolations(page);
  await page.goto('/signin');
  await signUp(page, 'Cleo Csp', `${unique('cleo')}@example.test`);
  const org = await createOrg(page, unique('Cleo Labs'));
  // A draft API: its pages are all there, and the shared catalog (paged by name) stays as it was.
  const apiSlug = unique('tides');
  await allowEchoFor(page, org);
  await page.goto(`/o/${org}/apis/new`);
  await page.getByLabel('Name').fill('Tides');
  await page.getByLabel('Slug').fill(apiSlug);
  await page.getByLabel('Upstream URL').fill(ECHO_URL);
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${org}/apis/${apiSlug}$`));
  for (const path of [
    `/o/${org}/analytics`,
    `/o/${org}/logs`,
    `/o/${org}/apis/${apiSlug}/policies`,
    `/o/${org}/settings/stripe`,
    '/catalog',
    '/catalog/demo/echo',
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading').first()).toBeVisible();
    await expect(page.getByText(/^Loading/)).toHaveCount(0);
  }
  // A client-side navigation too: the router loads the next page's chunks after the first response.
  await page.goto(`/o/${org}`);
  await page
    .getByRole('link', { name: /^APIs$/ })
    .first()
    .click();
  await expect(page).toHaveURL(new RegExp(`/o/${org}/apis$`));
  await expect(page.getByRole('heading').first()).toBeVisible();
  expect(violations).toEqual([]);
});
