import { type BrowserContext, test as base, expect } from '@playwright/test';

/**
 * Every spec's `test`: besides Playwright's own fixtures it fails a test when any page it opened — in
 * the default context or in contexts made with `browser.newContext()` — logged a console error or threw
 * an uncaught exception (hydration mismatches, CSP refusals, React errors). Chromium's own line for an
 * HTTP error response ("Failed to load resource: … status of 4xx") is not counted: the specs provoke
 * refusals on purpose and assert what the page shows for them.
 */
export const test = base.extend<{ failOnConsoleErrors: undefined }>({
  failOnConsoleErrors: [
    async ({ context, browser }, use) => {
      const errors: string[] = [];
      const watch = (watched: BrowserContext) => {
        watched.on('console', (message) => {
          if (message.type() !== 'error') return;
          const text = message.text();
          if (/^Failed to load resource: the server responded with a status of \d{3}/.test(text)) return;
          errors.push(`${message.page()?.url() ?? '?'}: ${text}`);
        });
        watched.on('weberror', (error) => errors.push(`uncaught: ${error.error().message}`));
      };
      watch(context);
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const created = await newContext(...args);
        watch(created);
        return created;
      };
      try {
        await use(undefined);
      } finally {
        browser.newContext = newContext;
      }
      expect(errors, 'console errors or uncaught exceptions on the pages this test opened').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
