import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import {
  createOrg,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  PASSWORD,
  signIn,
  signUp,
  unique,
} from './helpers.ts';

const DEMO_ADMIN = { email: 'demo@portcullis.dev', password: 'portcullis-demo-2026' };
const INVALID = 'Invalid email or password';

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
}

/**
 * The path of the link in the newest listed mail whose subject matches (links are absolute URLs).
 * `to` narrows the list first (the administrator's view holds everyone's mail).
 */
async function linkFromOutbox(page: Page, subject: string, pathPrefix: string, to?: string): Promise<string> {
  await page.goto('/outbox');
  if (to) await page.getByLabel('Recipient contains').fill(to);
  const mail = page.getByTestId('mail').filter({ has: page.getByRole('heading', { name: subject }) });
  if (to) await expect(mail).toHaveCount(1);
  await expect(mail.first()).toBeVisible();
  if (to) await expect(mail.first()).toContainText(to);
  const href = await mail.first().locator(`a[href*="${pathPrefix}"]`).first().getAttribute('href');
  expect(href, 'the mail carries the link').toBeTruthy();
  const url = new URL(href!);
  return `${url.pathname}${url.search}`;
}

async function attemptSignIn(page: Page, email: string, password: string): Promise<string> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Next.js's route announcer is an alert too: the form's own alert is the one inside the form.
  const alert = page.locator('form [role="alert"]');
  await expect(alert).toBeVisible();
  const text = (await alert.textContent()) ?? '';
  // The next attempt must not read the previous message.
  await page.reload();
  return text.trim();
}

// Teams: invite by email → no mail server here, so the page says the mail is queued and offers the
// link → the invitee opens it signed out (it says who invited them where), signs up with the address
// pre-filled, signs in again through the link, confirms the address → accepts → sees a read-only
// members page → the owner changes the role → the member follows the notification (marked read) → the
// owner removes them.
test('invite a teammate, hand over the link, confirm the address, accept, change the role, remove', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const owner = await (
    await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] })
  ).newPage();
  const mate = await newPage(browser);
  const ownerEmail = `${unique('olga')}@example.test`;
  const mateEmail = `${unique('mats')}@example.test`;

  await signUp(owner, 'Olga Owner', ownerEmail);
  const orgName = unique('Team Rocket');
  const slug = await createOrg(owner, orgName);
  await owner.goto(`/o/${slug}/members`);
  await expect(owner.getByRole('heading', { name: 'Members' })).toBeVisible();
  await expect(owner.getByText('No pending invitations.')).toBeVisible();
  await expectNoAxeViolations(owner);

  // a bad address is a field error; then the real invitation
  await owner.getByLabel('Email address').fill('not-an-email');
  await owner.getByRole('button', { name: 'Send invitation' }).click();
  await expect(owner.getByText('Enter a valid email address')).toBeVisible();
  await owner.getByLabel('Email address').fill(mateEmail);
  await owner.getByLabel('Role', { exact: true }).click();
  await owner.getByRole('option', { name: /^Viewer/ }).click();
  await owner.getByRole('button', { name: 'Send invitation' }).click();
  // no SMTP_URL in this run: the mail waits in the outbox, and the page does not call it sent
  const result = owner.getByTestId('invite-result');
  await expect(result).toHaveAttribute('data-delivery', 'queued');
  await expect(result.getByRole('status')).toContainText('Queued — copy the invite link');
  await expect(result).not.toContainText('Invitation sent');
  const pending = owner.getByRole('table', { name: 'Pending invitations' });
  await expect(pending.getByText(mateEmail)).toBeVisible();
  await expect(pending.getByText('VIEWER')).toBeVisible();

  // the inviter hands the link over themselves: shown once, with a copy button
  const inviteUrl = await owner.getByLabel(`Invitation link for ${mateEmail}`).inputValue();
  const invitePath = new URL(inviteUrl).pathname;
  expect(invitePath).toMatch(/^\/invite\/[A-Za-z0-9_-]{43}$/);
  await result.getByRole('button', { name: 'Copy link' }).click();
  await expect(result.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(inviteUrl);
  await expectNoAxeViolations(owner);
  await owner.setViewportSize({ width: 375, height: 800 });
  await expectNoHorizontalScroll(owner);
  await owner.setViewportSize({ width: 1280, height: 900 });

  // the invitee opens the link signed out: who invited them to what, and the way in
  await mate.goto(invitePath);
  await expect(mate.getByRole('heading', { name: `Join ${orgName}` })).toBeVisible();
  await expect(mate.getByRole('main')).toContainText(`Olga Owner invited ${mateEmail} to join ${orgName}`);
  await expect(mate.getByRole('main')).toContainText('VIEWER');
  await expectNoAxeViolations(mate);
  await mate.getByRole('link', { name: 'Create an account' }).click();
  await expect(mate.getByLabel('Email')).toHaveValue(mateEmail);
  await mate.getByLabel('Name').fill('Mats Mate');
  await mate.getByLabel('Password').fill(PASSWORD);
  await mate.getByRole('button', { name: 'Create account' }).click();
  await expect(mate).toHaveURL(new RegExp(`${invitePath}$`));
  // registering the address proved nothing: accepting waits for the address to be confirmed
  await expect(mate.getByText(`Before you can accept, confirm that ${mateEmail} is yours`)).toBeVisible();
  await expect(mate.getByRole('button', { name: 'Accept invitation' })).toHaveCount(0);
  // the outbox (where mail for their address waits) is not theirs to read
  await mate.goto('/outbox');
  await expect(mate.getByText('Only platform administrators can do this')).toBeVisible();
  // signed out again, the link's sign-in brings them back to it
  await signOut(mate);
  await mate.goto(invitePath);
  await mate.getByRole('link', { name: 'Sign in' }).click();
  await expect(mate).toHaveURL(/\/signin\?callbackUrl=/);
  await mate.getByLabel('Email').fill(mateEmail);
  await mate.getByLabel('Password').fill(PASSWORD);
  await mate.getByRole('button', { name: 'Sign in' }).click();
  await expect(mate).toHaveURL(new RegExp(`${invitePath}$`));
  await expect(mate.getByRole('heading', { name: `Join ${orgName}` })).toBeVisible();

  // the confirmation link reaches the address (here: the operator reads it in the outbox and hands it over)
  const admin = await newPage(browser);
  await signIn(admin, DEMO_ADMIN.email, DEMO_ADMIN.password);
  const confirmPath = await linkFromOutbox(
    admin,
    'Confirm your email address for Portcullis',
    '/verify-email/',
    mateEmail,
  );
  await mate.goto(confirmPath);
  await expect(mate.getByRole('button', { name: 'Confirm my address' })).toBeVisible();
  await expectNoAxeViolations(mate);
  await mate.getByRole('button', { name: 'Confirm my address' }).click();
  await expect(mate.getByRole('heading', { name: 'Address confirmed' })).toBeVisible();
  await mate.goto(invitePath);
  await expect(mate.getByRole('heading', { name: `Join ${orgName}` })).toBeVisible();
  await mate.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(mate).toHaveURL(new RegExp(`/o/${slug}$`));
  await expect(mate.getByText('VIEWER')).toBeVisible();
  // the link works once
  await mate.goto(invitePath);
  await expect(mate.getByText('This invitation has already been used.')).toBeVisible();

  // a viewer sees the team, and why there is nothing to change
  await mate.goto(`/o/${slug}/members`);
  await expect(mate.getByTestId('members-read-only')).toBeVisible();
  await expect(mate.getByRole('button', { name: 'Send invitation' })).toHaveCount(0);
  await expect(mate.getByRole('table', { name: 'Team' })).toContainText(
    'Only owners and admins manage members',
  );
  await expect(mate.getByRole('table', { name: 'Team' })).toContainText('You cannot change your own role');

  // the owner sees the new member, changes the role; the member is told
  await owner.goto(`/o/${slug}/members`);
  await expect(owner.getByText('No pending invitations.')).toBeVisible();
  const roleSelect = owner.getByLabel(`Role of ${mateEmail}`);
  await expect(roleSelect).toHaveText(/VIEWER/);
  await roleSelect.click();
  await owner.getByRole('option', { name: 'ADMIN' }).click();
  await expect(roleSelect).toBeEnabled();
  await owner.reload();
  await expect(owner.getByLabel(`Role of ${mateEmail}`)).toHaveText(/ADMIN/);

  await mate.goto(`/o/${slug}`);
  await expect(mate.getByText('ADMIN')).toBeVisible();
  await expect(mate.getByRole('link', { name: /Notifications, \d+ unread/ })).toBeVisible();
  await mate.goto('/notifications');
  const roleNote = `Your role in ${orgName} is now ADMIN`;
  // following a notification marks it read
  await mate.getByRole('link', { name: roleNote }).click();
  await expect(mate).toHaveURL(new RegExp(`/o/${slug}`));
  await mate.goto('/notifications');
  await expect(mate.getByRole('button', { name: `Mark as unread: ${roleNote}` })).toBeVisible();
  await expect(mate.getByRole('button', { name: 'Mark all as read' })).toBeDisabled();
  await expect(mate.getByRole('link', { name: 'Notifications', exact: true })).toBeVisible();

  // the org switcher lists the org and navigates to it
  await mate.goto('/dashboard');
  await mate.getByLabel('Organization', { exact: true }).selectOption(slug);
  await expect(mate).toHaveURL(new RegExp(`/o/${slug}$`));

  // the owner removes the member (confirmed in a dialog), who then cannot open the org
  await owner.getByRole('button', { name: `Remove Mats Mate (${mateEmail})` }).click();
  await owner.getByRole('dialog').getByRole('button', { name: 'Confirm removal' }).click();
  await expect(owner.getByLabel(`Role of ${mateEmail}`)).toHaveCount(0);
  await mate.goto(`/o/${slug}`);
  await expect(mate.getByText('Organization not found')).toBeVisible();

  // the last owner cannot leave
  await owner.getByRole('button', { name: 'Leave organization' }).click();
  await owner.getByRole('dialog').getByRole('button', { name: 'Yes, leave' }).click();
  await expect(owner.getByRole('dialog').getByText(/last owner/)).toBeVisible();
});

// Password reset: same answer for unknown emails; the link comes from the outbox (read by the
// platform administrator, since the user cannot sign in); it works once; the new password signs in.
test('password reset through the outbox', async ({ browser }) => {
  const user = await newPage(browser);
  const email = `${unique('rosa')}@example.test`;
  await signUp(user, 'Rosa Reset', email);
  await signOut(user);

  await user.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(user).toHaveURL(/\/forgot-password$/);
  await user.getByLabel('Email').fill(`${unique('nobody')}@example.test`);
  await user.getByRole('button', { name: 'Send reset link' }).click();
  const answerForUnknown = (await user.getByRole('status').textContent())?.trim();
  expect(answerForUnknown).toMatch(/If an account exists/);
  await user.goto('/forgot-password');
  await user.getByLabel('Email').fill(email);
  await user.getByRole('button', { name: 'Send reset link' }).click();
  await expect(user.getByRole('status')).toHaveText(answerForUnknown!);

  const admin = await newPage(browser);
  await signIn(admin, DEMO_ADMIN.email, DEMO_ADMIN.password);
  const resetPath = await linkFromOutbox(admin, 'Reset your Portcullis password', '/reset-password/', email);
  expect(resetPath).toMatch(/^\/reset-password\/[A-Za-z0-9_-]{43}$/);
  await expectNoAxeViolations(admin);

  const newPassword = 'brand-new-password-77';
  await user.goto(resetPath);
  await expect(user.getByLabel('New password')).toBeVisible();
  await expectNoAxeViolations(user);
  await user.getByLabel('New password').fill('short');
  await user.getByLabel('Confirm password').fill('short');
  await user.getByRole('button', { name: 'Set new password' }).click();
  await expect(user.getByText('Password must be at least 10 characters')).toBeVisible();
  await user.getByLabel('New password').fill(newPassword);
  await user.getByLabel('Confirm password').fill(newPassword);
  await user.getByRole('button', { name: 'Set new password' }).click();
  await expect(user.getByRole('heading', { name: 'Password changed' })).toBeVisible();

  await user.goto(resetPath);
  await user.getByLabel('New password').fill('another-password-88');
  await user.getByLabel('Confirm password').fill('another-password-88');
  await user.getByRole('button', { name: 'Set new password' }).click();
  await expect(user.getByText(/already been used/)).toBeVisible();

  await user.goto('/signin');
  expect(await attemptSignIn(user, email, PASSWORD)).toBe(INVALID);
  await signIn(user, email, newPassword);
});

// Brute force: 5 wrong passwords, then the 6th attempt is refused with a wait; an unknown email
// gets exactly the same messages.
test('six wrong passwords throttle this client for the account, with the same messages for an unknown user', async ({
  browser,
}) => {
  const page = await newPage(browser);
  const email = `${unique('tom')}@example.test`;
  await signUp(page, 'Tom Throttle', email);
  await signOut(page);

  const known: string[] = [];
  const unknown: string[] = [];
  const ghost = `${unique('ghost')}@example.test`;
  for (let i = 0; i < 6; i++) known.push(await attemptSignIn(page, email, `wrong-password-${i}`));
  for (let i = 0; i < 6; i++) unknown.push(await attemptSignIn(page, ghost, `wrong-password-${i}`));

  expect(known.slice(0, 5)).toEqual(Array(5).fill(INVALID));
  expect(known[5]).toMatch(/^Too many sign-in attempts\. Try again in \d+ s\.$/);
  const normalise = (messages: string[]) => messages.map((m) => m.replace(/\d+ s\./, 'N s.'));
  expect(normalise(unknown)).toEqual(normalise(known));

  // even the right password waits until the lock ends, from this client (another address is not locked:
  // sign-in-http.int.test.ts shows it from several loopback addresses)
  expect(await attemptSignIn(page, email, PASSWORD)).toMatch(/^Too many sign-in attempts/);
});
