// Registers and uses passkeys at the hub in a real browser (Debian's Chromium through
// playwright-core), with Chromium's virtual authenticator (DevTools protocol, WebAuthn
// domain): a CTAP2 platform authenticator that holds discoverable credentials and
// verifies its user. The authenticator lives on the page's CDP session, so one run keeps
// one page; a "fresh" sign-in clears the context's cookies instead of opening another.
//
//   node passkey.mjs <mode> <app-redirect> <username> <password> <name> <authorize-url>...
//
// enrol: the password through the first URL (an app whose rule requires a second factor),
// then, at the enrolment, a passkey called <name> instead of an app; then, with the cookies
// cleared, the password through the second URL and "Use a passkey".
// Every other mode first signs in with the password through the first authorize URL, then
// adds a passkey called <name> at /account/passkeys (register stops there). Then, with the
// cookies cleared:
//   passwordless   "Sign in with a passkey" through the second URL.
//   second-factor  the password through the second URL, then "Use a passkey".
//   manage         passwordless through the second URL, rename the passkey to
//                  "<name> (renamed)", remove it, and try it again through the third URL.
//   clone          passwordless through the second URL; then the credential is put back
//                  with its signature counter at 0 (a copy behind the original's count)
//                  and tried through the third URL.
//   twice          passwordless through the second URL, then (after the pause, if asked)
//                  through the third: reports where the second attempt ended.
// --synced makes the authenticator's credentials backup-eligible (a synced passkey).
// --pause=DIR: before the last attempt, creates DIR/paused and waits for DIR/resume, so
// that the test can change something at the hub (disable the user, remove the passkey).
// Prints one JSON line and exits 0; on failure prints the step and the reason, exits 1.
import { existsSync, writeFileSync } from 'node:fs';
import { journeyPage, launchChromium } from './chromium.mjs';

const TIMEOUT_MS = 15_000;
const args = process.argv.slice(2);
const synced = args.includes('--synced');
const pauseDir = args.find((a) => a.startsWith('--pause='))?.slice('--pause='.length);
const [mode, appRedirect, username, password, name, ...authorizeUrls] = args.filter((a) => !a.startsWith('--'));
if (!authorizeUrls.length) {
  console.error('usage: node passkey.mjs <register|passwordless|second-factor|manage|clone> <app-redirect> <username> <password> <name> <authorize-url>... [--synced]');
  process.exit(2);
}
const hubOrigin = new URL(authorizeUrls[0]).origin;
// The hub's pages live under the issuer, which is the authorize URL's directory.
const issuer = authorizeUrls[0].slice(0, authorizeUrls[0].lastIndexOf('/authorize'));

let step = 'launch Chromium';
let browser;
const state = { redirect: undefined, csp: [] };

async function open() {
  const context = await browser.newContext();
  const page = await journeyPage(context, { hubOrigin, appRedirect, state, timeout: TIMEOUT_MS });
  step = 'add the virtual authenticator';
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const options = {
    protocol: 'ctap2',
    transport: 'internal',
    hasResidentKey: true,
    hasUserVerification: true,
    isUserVerified: true,
    automaticPresenceSimulation: true,
  };
  if (synced) Object.assign(options, { defaultBackupEligibility: true, defaultBackupState: true });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options });
  return { context, page, cdp, authenticatorId };
}

async function arrive(page) {
  for (let waited = 0; !state.redirect && waited < TIMEOUT_MS; waited += 100) await page.waitForTimeout(100);
  if (!state.redirect) throw new Error(`the app’s redirect URI was not reached; the browser is at ${page.url()}`);
  if (state.csp.length) throw new Error(`CSP violations on the hub’s pages: ${state.csp.join('; ')}`);
  const reached = state.redirect;
  state.redirect = undefined;
  return reached;
}

// The redirect to the app is not routed (Playwright routes no request reached by a
// redirect), so Chromium's error page for it may still be loading: a navigation started
// meanwhile is interrupted, and is tried again.
async function visit(page, url) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await page.goto(url);
    } catch (error) {
      if (attempt >= 5 || !/interrupted by another navigation/.test(error.message)) throw error;
      await page.waitForTimeout(200);
    }
  }
}

async function authorize(page, url, what) {
  step = `open the app’s authorization request (${what})`;
  state.redirect = undefined;
  await visit(page, url);
}

async function withPassword(page, url) {
  await authorize(page, url, 'password');
  step = 'sign in with the password';
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState();
}

async function withPasskey(page, url) {
  await authorize(page, url, 'passkey');
  step = 'press “Sign in with a passkey”';
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
}

async function passkeyNames(page) {
  return (await page.locator('.passkey-name').allInnerTexts()).map((n) => n.trim());
}

async function register(session) {
  const { page } = session;
  await withPassword(page, authorizeUrls[0]);
  const first = await arrive(page);
  step = 'open /account/passkeys';
  await visit(page, `${issuer}/account/passkeys`);
  await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
  step = 'add a named passkey';
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByRole('status').filter({ hasText: 'added' }).waitFor();
  const names = await passkeyNames(page);
  if (!names.includes(name)) throw new Error(`the list shows ${JSON.stringify(names)}`);
  return { first, names };
}

// The enrolment a rule asks for, with a passkey instead of an app; then that passkey as
// the second factor of the next sign-in.
async function enrolInstead(session) {
  const { page } = session;
  await withPassword(page, authorizeUrls[0]);
  step = 'reach the enrolment the app’s rule asks for';
  await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
  step = 'create a passkey instead of an authenticator app';
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create a passkey' }).click();
  const first = await arrive(page);
  await fresh(session);
  return { first, redirect: await passwordThenPasskey(page, authorizeUrls[1]) };
}

/** Signs in with the password, then the passkey as the second step; where the app is sent. */
async function passwordThenPasskey(page, url) {
  await withPassword(page, url);
  step = 'reach the second-factor page';
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  step = 'press “Use a passkey”';
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  return arrive(page);
}

async function fresh(session) {
  step = 'clear the cookies (a fresh browser, the same authenticator)';
  await session.context.clearCookies();
}

async function pauseIfAsked() {
  if (!pauseDir) return;
  step = 'wait for the test to act at the hub';
  writeFileSync(`${pauseDir}/paused`, '');
  for (let waited = 0; !existsSync(`${pauseDir}/resume`); waited += 100) {
    if (waited > 60_000) throw new Error('the test never said to go on');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Where an attempt ended: at the app, or refused on the login page.
async function outcome(page) {
  step = 'see where the passkey leads';
  for (let waited = 0; waited < TIMEOUT_MS; waited += 100) {
    if (state.redirect) return { redirect: await arrive(page) };
    if (new URL(page.url()).pathname.endsWith('/login') && (await page.getByRole('alert').count())) {
      return { refused: (await page.getByRole('alert').first().innerText()).trim() };
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`neither the app nor a refusal; the browser is at ${page.url()}`);
}

async function refusal(page) {
  step = 'see the passkey refused on the login page';
  await page.waitForURL((url) => url.pathname.endsWith('/login'));
  const alert = (await page.getByRole('alert').first().innerText()).trim();
  if (state.redirect) throw new Error('the refused passkey reached the app');
  return alert;
}

try {
  browser = await launchChromium();
  const session = await open();
  const { page } = session;
  let report;
  if (mode === 'enrol') {
    report = await enrolInstead(session);
  } else {
    const registered = await register(session);
    report = { registered: registered.names, first: registered.first };
  }
  if (mode === 'passwordless') {
    await fresh(session);
    await withPasskey(page, authorizeUrls[1]);
    report.redirect = await arrive(page);
  } else if (mode === 'second-factor') {
    await fresh(session);
    report.redirect = await passwordThenPasskey(page, authorizeUrls[1]);
  } else if (mode === 'manage') {
    await fresh(session);
    await withPasskey(page, authorizeUrls[1]);
    report.redirect = await arrive(page);
    step = 'rename the passkey';
    await visit(page, `${issuer}/account/passkeys`);
    const renamed = `${name} (renamed)`;
    await page.getByLabel(`New name for ${name}`).fill(renamed);
    await page.getByRole('button', { name: `Rename ${name}` }).click();
    await page.getByRole('status').filter({ hasText: 'renamed' }).waitFor();
    report.renamed = await passkeyNames(page);
    step = 'remove the passkey';
    await page.getByRole('button', { name: `Remove ${renamed}` }).click();
    await page.getByRole('status').filter({ hasText: 'removed' }).waitFor();
    report.after_removal = await passkeyNames(page);
    await fresh(session);
    await withPasskey(page, authorizeUrls[2]);
    report.refused = await refusal(page);
  } else if (mode === 'clone') {
    await fresh(session);
    await withPasskey(page, authorizeUrls[1]);
    report.redirect = await arrive(page);
    step = 'put the credential back behind its counter';
    const { credentials } = await session.cdp.send('WebAuthn.getCredentials', { authenticatorId: session.authenticatorId });
    if (credentials.length !== 1) throw new Error(`the authenticator holds ${credentials.length} credentials`);
    const [credential] = credentials;
    report.counter_before = credential.signCount;
    await session.cdp.send('WebAuthn.removeCredential', { authenticatorId: session.authenticatorId, credentialId: credential.credentialId });
    await session.cdp.send('WebAuthn.addCredential', { authenticatorId: session.authenticatorId, credential: { ...credential, signCount: 0 } });
    await fresh(session);
    await withPasskey(page, authorizeUrls[2]);
    report.refused = await refusal(page);
  } else if (mode === 'twice') {
    await fresh(session);
    await withPasskey(page, authorizeUrls[1]);
    report.redirect = await arrive(page);
    await pauseIfAsked();
    await fresh(session);
    await withPasskey(page, authorizeUrls[2]);
    report.second = await outcome(page);
  } else if (mode !== 'register' && mode !== 'enrol') {
    throw new Error(`unknown mode ${mode}`);
  }
  console.log(JSON.stringify(report));
  await browser.close();
} catch (error) {
  console.error(`failed at: ${step}: ${error.message}`);
  await browser?.close();
  process.exit(1);
}
