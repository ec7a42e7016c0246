import { defineConfig, devices } from '@playwright/test';

// The e2e suite drives the real platform command (`npm start`) on its own ports and database.
const PORTAL_PORT = Number(process.env.E2E_PORTAL_PORT ?? 3100);
const GATEWAY_PORT = Number(process.env.E2E_GATEWAY_PORT ?? 8180);
const ECHO_PORT = Number(process.env.E2E_ECHO_PORT ?? 8190);

export default defineConfig({
  testDir: './e2e',
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL: `http://127.0.0.1:${PORTAL_PORT}`,
    trace: 'retain-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: {
    command: 'npx tsx scripts/platform.ts',
    url: `http://127.0.0.1:${PORTAL_PORT}/signin`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORTAL_PORT: String(PORTAL_PORT),
      GATEWAY_PORT: String(GATEWAY_PORT),
      ECHO_PORT: String(ECHO_PORT),
      PORTCULLIS_DATA_DIR: process.env.E2E_DATA_DIR ?? '.data/e2e',
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/portcullis_e2e',
      REDIS_URL: process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379',
      EMBEDDED_PG_PORT: '54330',
      // e2e/paid-plan.spec.ts starts the fake Stripe here; no other spec talks to Stripe.
      STRIPE_API_BASE: `http://127.0.0.1:${process.env.E2E_STRIPE_PORT ?? 8199}`,
      // Every spec signs its users up from 127.0.0.1: more than one address's hourly share.
      PORTAL_SIGN_UPS_PER_HOUR: '1000',
    },
  },
});
