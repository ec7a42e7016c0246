import { randomBytes } from 'node:crypto';
import { expect, type Page } from '@playwright/test';

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
