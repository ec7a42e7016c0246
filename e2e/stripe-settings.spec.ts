import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { createOrg, signUp, unique } from './helpers.ts';

/** Whether `first` comes before `second` in the document. */
async function precedes(first: Locator, second: Locator): Promise<boolean> {
  const other = await second.elementHandle();
  return first.evaluate(
    (a, b) => b !== null && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0,
    other,
  );
}

test('the Stripe settings show the webhook URL to add in Stripe before asking for its signing secret', async ({
  page,
  baseURL,
}) => {
  await signUp(page, 'Sam Stripe', `${unique('sam')}@example.test`);
  const org = await createOrg(page, unique('Sam Billing'));
  await page.goto(`/o/${org}/settings/stripe`);
  await expect(page.getByRole('heading', { name: 'Not connected' })).toBeVisible();

  const endpoint = page.getByTestId('stripe-webhook-endpoint');
  await expect(endpoint).toBeVisible();
  await expect(endpoint.locator('code')).toHaveText(
    new RegExp(
      `^${(baseURL ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/api/stripe/webhook/[A-Za-z0-9_-]+$`,
    ),
  );
  await expect(endpoint).toContainText('invoice.payment_failed');

  const secretKey = page.getByLabel('Secret key');
  const signingSecret = page.getByLabel('Webhook signing secret');
  expect(await precedes(secretKey, endpoint)).toBe(true);
  expect(await precedes(endpoint, signingSecret)).toBe(true);
  // What is seen, too: the URL is above the field that needs what Stripe shows for it.
  const [urlBox, fieldBox] = [await endpoint.boundingBox(), await signingSecret.boundingBox()];
  expect(urlBox && fieldBox && urlBox.y + urlBox.height <= fieldBox.y).toBe(true);
});
