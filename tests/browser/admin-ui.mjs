// Drives the hub's admin UI in a real browser (Debian's Chromium through playwright-core):
// signs in through the hub as an administrator, creates a social login key, a client for a
// Django app (the stack fills in its URIs; its secret shown once with the settings to paste,
// copied, then rotated) and a user, revokes another user's session, signs out, and checks
// that a user outside the `admins` group is refused.
//
//   node admin-ui.mjs <issuer> <admin-username> <admin-password> <plain-username> <plain-password>
//
// The plain user must already have a hub session of their own (the caller signs them in
// once), so there is a session to revoke that is not the administrator's.
// Prints one JSON line of what it verified and exits 0; on failure prints the step, the
// reason and where a screenshot and the page's HTML were saved, and exits 1.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';

const TIMEOUT_MS = 15_000;

const [issuerArg, adminUser, adminPassword, plainUser, plainPassword] = process.argv.slice(2);
if (!plainPassword) {
  console.error('usage: node admin-ui.mjs <issuer> <admin-username> <admin-password> <plain-username> <plain-password>');
  process.exit(2);
}
const issuer = issuerArg.replace(/\/+$/, '');
const adminUrl = `${issuer}/admin/`;
const isAdminUi = (url) => url.href.startsWith(adminUrl);

class StepFailure extends Error {}
const fail = (message) => {
  throw new StepFailure(message);
};

const report = { ok: true, issuer };
let step = 'launch Chromium';
let browser;
let page;

try {
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(issuer).origin });
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.setDefaultNavigationTimeout(TIMEOUT_MS);
  // The hub serves /admin with a strict Content-Security-Policy: the UI must not trip it.
  const cspViolations = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  const scriptErrors = [];
  page.on('pageerror', (error) => scriptErrors.push(error.message));
  const nav = (name) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });
  const heading = (name) => page.getByRole('heading', { level: 1, name, exact: true });

  step = 'sign in as the administrator';
  await page.goto(adminUrl);
  await signInAtHub(adminUser, adminPassword);
  await heading('Social login keys').waitFor();
  await page.getByRole('banner').getByText(`Signed in as ${adminUser}`, { exact: true }).waitFor();
  report.signed_in_as = adminUser;

  step = 'create a social login key';
  await page.getByRole('link', { name: 'New social login key' }).click();
  await heading('New social login key').waitFor();
  await page.getByLabel('Kind').selectOption('oidc');
  await page.getByLabel('Display name').fill('Corp SSO');
  await page.getByLabel('Slug').fill('corp');
  await page.getByLabel('Issuer').fill('https://accounts.example.com');
  await page.getByLabel('Client ID').fill('hub-at-corp');
  await page.getByLabel('Client secret').fill('corp-upstream-secret');
  await page.getByRole('button', { name: 'Create social login key' }).click();
  await heading('Corp SSO').waitFor();
  await nav('Social login keys').click();
  await page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Corp SSO', exact: true }) }).getByText('corp', { exact: true }).waitFor();
  report.social_login_key = 'corp';

  step = 'create a client for a Django app';
  await nav('Clients').click();
  await heading('Clients').waitFor();
  await page.getByRole('link', { name: 'New client' }).click();
  await heading('New client').waitFor();
  await page.getByLabel('Client name').fill('Browser test app');
  await page.getByLabel('Stack', { exact: true }).selectOption('django');
  await page.getByLabel('The app’s base URL').fill('http://127.0.0.1:9/');
  const filled = {
    client_type: await page.getByLabel('Client type').inputValue(),
    redirect_uris: await page.getByLabel('Redirect URIs', { exact: true }).inputValue(),
    post_logout_redirect_uris: await page.getByLabel('Post-logout redirect URIs').inputValue(),
    backchannel_logout_uri: await page.getByLabel('Back-channel logout URI').inputValue(),
  };
  const expected = {
    client_type: 'client_secret_basic',
    redirect_uris: 'http://127.0.0.1:9/oidc/callback/',
    post_logout_redirect_uris: 'http://127.0.0.1:9/',
    backchannel_logout_uri: 'http://127.0.0.1:9/backchannel-logout',
  };
  if (JSON.stringify(filled) !== JSON.stringify(expected)) fail(`the Django stack filled in ${JSON.stringify(filled)}`);
  report.stack_filled_in = filled.redirect_uris;
  await page.getByRole('button', { name: 'Create client' }).click();
  const created = page.getByRole('dialog', { name: 'Client created' });
  await created.waitFor();
  const configure = created.getByRole('region', { name: 'Configure your app' });
  const secret = await configure.getByLabel('OIDC_RP_CLIENT_SECRET', { exact: true }).inputValue();
  if (secret.length < 16) fail(`the new client secret shown is too short: ${JSON.stringify(secret)}`);
  await created.getByText('will not be shown again').waitFor();
  report.secret_shown = true;

  step = "check the new client's settings for Django";
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const shownStack = await configure.getByLabel('Stack', { exact: true }).inputValue();
  if (shownStack !== 'django') fail(`the panel shows the stack ${shownStack}, not the one chosen`);
  const shownClientId = await configure.getByLabel('OIDC_RP_CLIENT_ID', { exact: true }).inputValue();
  const shownTokenEndpoint = await configure.getByLabel('OIDC_OP_TOKEN_ENDPOINT', { exact: true }).inputValue();
  if (shownTokenEndpoint !== discovery.token_endpoint) fail(`OIDC_OP_TOKEN_ENDPOINT is ${shownTokenEndpoint}, discovery says ${discovery.token_endpoint}`);
  report.panel_token_endpoint = shownTokenEndpoint;

  step = 'copy the client secret';
  await configure.getByRole('button', { name: 'Copy OIDC_RP_CLIENT_SECRET', exact: true }).click();
  await created.getByText('Copied to the clipboard.').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  if (copied !== secret) fail('the clipboard does not hold the secret that was shown');
  report.secret_copied = true;
  await created.getByRole('button', { name: 'Done' }).click();
  await page.waitForURL((url) => url.hash.startsWith('#/client/'));
  const clientId = decodeURIComponent(new URL(page.url()).hash.slice('#/client/'.length));
  if (shownClientId !== clientId) fail(`the panel showed OIDC_RP_CLIENT_ID ${shownClientId}, the client is ${clientId}`);
  report.client_id = clientId;
  await heading('Browser test app').waitFor();

  step = "check the client page's settings for Django, at 390 px wide";
  await page.setViewportSize({ width: 390, height: 844 });
  const panel = page.getByRole('region', { name: 'Configure your app' });
  if ((await panel.getByLabel('Stack', { exact: true }).inputValue()) !== 'django') fail('the client page does not remember the stack');
  if ((await panel.getByLabel('OIDC_RP_CLIENT_ID', { exact: true }).inputValue()) !== clientId) fail('the client page shows another client ID');
  if ((await panel.getByLabel('OIDC_OP_TOKEN_ENDPOINT', { exact: true }).inputValue()) !== discovery.token_endpoint) fail('the client page shows another token endpoint');
  await panel.getByRole('group', { name: 'OIDC_RP_CLIENT_SECRET' }).getByText('Rotate secret', { exact: false }).waitFor();
  const overflow = await panel.evaluate((element) => ({ page: document.documentElement.scrollWidth, right: element.getBoundingClientRect().right }));
  if (overflow.page > 390 || overflow.right > 390) fail(`the page is wider than 390 px: ${JSON.stringify(overflow)}`);
  await panel.getByRole('button', { name: 'Copy OIDC_OP_TOKEN_ENDPOINT', exact: true }).click();
  if ((await page.evaluate(() => navigator.clipboard.readText())) !== discovery.token_endpoint) fail('the clipboard does not hold the token endpoint');
  await page.setViewportSize({ width: 1280, height: 900 });
  report.panel_client_id = clientId;
  await nav('Clients').click();
  const clientRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Browser test app', exact: true }) });
  await clientRow.getByText(clientId, { exact: true }).waitFor();

  step = "rotate the client's secret";
  await clientRow.getByRole('link', { name: 'Browser test app', exact: true }).click();
  await heading('Browser test app').waitFor();
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await page.getByRole('dialog', { name: 'Rotate the client secret?' }).getByRole('button', { name: 'Rotate secret' }).click();
  const rotated = page.getByRole('dialog', { name: 'New client secret' });
  await rotated.waitFor();
  const newSecret = await rotated.getByLabel('Client secret', { exact: true }).inputValue();
  if (!newSecret) fail('the rotated secret is empty');
  if (newSecret === secret) fail('the rotated secret is the same as the old one');
  await rotated.getByRole('button', { name: 'Done' }).click();
  await rotated.waitFor({ state: 'hidden' });
  report.rotated = true;

  step = 'create a user';
  const username = `ui-test-${Date.now().toString(36)}`;
  await nav('Users').click();
  await heading('Users').waitFor();
  await page.getByRole('link', { name: 'New user' }).click();
  await heading('New user').waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('E-mail', { exact: true }).fill(`${username}@example.com`);
  await page.getByLabel('Password').fill('a long password for the browser test');
  await page.getByRole('button', { name: 'Create user' }).click();
  await heading(username).waitFor();
  await nav('Users').click();
  await page.getByRole('row').filter({ has: page.getByRole('link', { name: username, exact: true }) }).waitFor();
  report.user = username;

  step = "check the user's page, and the users table at 390 px wide";
  await page.getByRole('link', { name: username, exact: true }).click();
  await heading(username).waitFor();
  await page.getByRole('region', { name: 'Upstream sign-ins' }).getByText('No upstream sign-ins.').waitFor();
  await page.getByRole('region', { name: 'Second factor' }).getByText('No authenticator enrolled.').waitFor();
  await nav('Users').click();
  await heading('Users').waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  const usersWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  if (usersWidth > 390) fail(`the Users page is ${usersWidth} px wide at 390 px`);
  await page.setViewportSize({ width: 1280, height: 900 });
  report.users_fit_390 = true;

  step = "revoke the plain user's session";
  await nav('Sessions').click();
  await heading('Sessions').waitFor();
  await page.getByRole('table').waitFor();
  const sessionRows = page.getByRole('row').filter({ has: page.getByRole('cell').getByRole('link', { name: plainUser, exact: true }) });
  const ownRows = page.getByRole('row').filter({ hasText: 'this browser' });
  report.sessions_listed = (await page.getByRole('row').count()) - 1;
  if (report.sessions_listed < 1) fail('the Sessions page lists no session');
  const before = await sessionRows.count();
  if (before === 0) fail(`no session of ${plainUser} is listed (the caller must sign ${plainUser} in first)`);
  if ((await ownRows.count()) !== 1) fail("the administrator's own session is not marked as 'this browser'");
  await sessionRows.first().getByRole('button', { name: `Revoke the session of ${plainUser}` }).click();
  await page.getByRole('dialog', { name: 'Revoke this session?' }).getByRole('button', { name: 'Revoke session' }).click();
  await waitForCount(sessionRows, before - 1, `${plainUser}'s revoked session is still listed`);
  if ((await ownRows.count()) !== 1) fail("the administrator's own session disappeared");
  report.revoked_session_of = plainUser;
  report.own_session_kept = true;

  step = 'sign out';
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => !isAdminUi(url));
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(isAdminUi);
  await heading('You are signed out').waitFor();
  report.signed_out = true;

  step = 'sign in as a user who is not an administrator';
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !isAdminUi(url));
  await signInAtHub(plainUser, plainPassword);
  await heading('Not an administrator').waitFor();
  await page.getByText('not an administrator (member of the').waitFor();
  await page.getByRole('main').getByText(plainUser, { exact: true }).waitFor();
  // A refusal, not a sign-in loop: nothing navigates away once the page has settled.
  await page.waitForLoadState('networkidle');
  if (!isAdminUi(new URL(page.url()))) fail('the refusal page navigated away');
  await heading('Not an administrator').waitFor();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  report.refused_non_admin = true;

  step = 'check that the pages ran without script or Content-Security-Policy errors';
  if (cspViolations.length) fail(`Content-Security-Policy violations: ${cspViolations.join(' | ')}`);
  if (scriptErrors.length) fail(`uncaught errors in the page: ${scriptErrors.join(' | ')}`);
  report.csp_violations = 0;
  report.script_errors = 0;
  console.log(JSON.stringify(report));
  await browser.close();
  process.exit(0);
} catch (error) {
  const reason = error instanceof StepFailure ? error.message : String(error?.message ?? error).split('\n')[0];
  console.error(`admin-ui: FAILED while trying to ${step}: ${reason}`);
  if (page) {
    const dir = mkdtempSync(join(tmpdir(), 'hub-admin-ui-'));
    try {
      console.error(`  at ${page.url()}`);
      await page.screenshot({ path: join(dir, 'failure.png'), fullPage: true });
      writeFileSync(join(dir, 'failure.html'), await page.content());
      console.error(`  screenshot and page HTML saved in ${dir}`);
    } catch (saveError) {
      console.error(`  could not save the page (${saveError.message}); see ${dir}`);
    }
  }
  if (!(error instanceof StepFailure) && error?.stack) console.error(error.stack);
  await browser?.close().catch(() => {});
  process.exit(1);
}

/** The hub's own sign-in page: "Username", "Password", "Sign in"; back in the admin UI after it. */
async function signInAtHub(username, password) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // Either the hub sends the browser back to the admin UI, or its page says why not.
  await page.waitForFunction((root) => location.href.startsWith(root) || document.querySelector('[role=alert]'), adminUrl);
  if (!isAdminUi(new URL(page.url()))) {
    fail(`the hub did not sign ${username} in: ${(await page.getByRole('alert').first().innerText()).trim()}`);
  }
}

/** Waits until `locator` matches exactly `count` elements (playwright-core has no expect()). */
async function waitForCount(locator, count, message) {
  const deadline = Date.now() + TIMEOUT_MS;
  while ((await locator.count()) !== count) {
    if (Date.now() > deadline) fail(message);
    await page.waitForTimeout(100);
  }
}
