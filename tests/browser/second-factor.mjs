// Signs a person in through the hub's password form and its second-factor pages in a real
// browser (Debian's Chromium through playwright-core). The codes come from `otpauth`, a
// TOTP library independent of the hub's, fed the key the enrolment page shows as text.
//
//   node second-factor.mjs enrol    <authorize-url> <app-redirect> <username> <password>
//   node second-factor.mjs totp     <authorize-url> <app-redirect> <username> <password> <base32-key>
//   node second-factor.mjs replay   <authorize-url> <app-redirect> <username> <password> <base32-key>
//   node second-factor.mjs recovery <authorize-url> <app-redirect> <username> <password> <recovery-code>
//   node second-factor.mjs password <authorize-url> <app-redirect> <username> <password>
//
// enrol: the enrolment page after the password; reads the QR code's presence, the key and
// the recovery codes, confirms with a current code. totp: a code of the next time step (the
// enrolment used the current one; RFC 6238 allows one step of drift). replay: the same code
// in a second, fresh browser, which must be refused. password: the password alone, then
// wherever the hub sends the browser. Prints one JSON line and exits 0; on failure prints
// the step and the reason, and exits 1.
import * as OTPAuth from 'otpauth';
import { journeyPage, launchChromium } from './chromium.mjs';

const TIMEOUT_MS = 15_000;
const [mode, authorizeUrl, appRedirect, username, password, extra] = process.argv.slice(2);
if (!password) {
  console.error('usage: node second-factor.mjs <enrol|totp|replay|recovery|password> <authorize-url> <app-redirect> <username> <password> [key|code]');
  process.exit(2);
}
const hubOrigin = new URL(authorizeUrl).origin;

function codeFor(key, offsetSteps = 0) {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

let step = 'launch Chromium';
let browser;

// A fresh browser context: no cookies, so every run signs in anew.
async function signInWithPassword() {
  const context = await browser.newContext();
  const state = { redirect: undefined, csp: [] };
  const page = await journeyPage(context, { hubOrigin, appRedirect, state, timeout: TIMEOUT_MS });
  step = 'open the app’s authorization request';
  await page.goto(authorizeUrl);
  step = 'sign in with the password';
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState();
  return { page, state };
}

async function verify(page, code) {
  step = 'enter the code and press “Verify”';
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForLoadState();
}

async function reachedApp(page, state) {
  for (let waited = 0; !state.redirect && waited < TIMEOUT_MS; waited += 100) await page.waitForTimeout(100);
  return state.redirect;
}

async function arrived(page, state) {
  step = 'come back through the hub to the app';
  if (!(await reachedApp(page, state))) throw new Error('the app’s redirect URI was not reached');
  if (state.csp.length) throw new Error(`CSP violations on the hub’s pages: ${state.csp.join('; ')}`);
  return state.redirect;
}

try {
  browser = await launchChromium();
  let report;
  if (mode === 'enrol') {
    const { page, state } = await signInWithPassword();
    step = 'read the enrolment page';
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    const loaded = await qr.evaluate((img) => img.complete && img.naturalWidth > 0);
    if (!loaded) throw new Error('the QR code image did not load (CSP?)');
    const key = (await page.locator('#totp-secret').innerText()).trim();
    const recoveryCodes = (await page.locator('#recovery-codes li').allInnerTexts()).map((c) => c.trim());
    await verify(page, codeFor(key));
    report = { redirect: await arrived(page, state), key, recovery_codes: recoveryCodes };
  } else if (mode === 'totp' || mode === 'recovery') {
    const { page, state } = await signInWithPassword();
    step = 'reach the second-factor page';
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await verify(page, mode === 'totp' ? codeFor(extra, 1) : extra);
    report = { redirect: await arrived(page, state) };
  } else if (mode === 'replay') {
    const code = codeFor(extra, 1);
    const first = await signInWithPassword();
    await verify(first.page, code);
    const redirect = await arrived(first.page, first.state);
    const second = await signInWithPassword();
    step = 'reach the second-factor page in a second browser';
    await second.page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await verify(second.page, code);
    step = 'see the replayed code refused';
    const alert = (await second.page.getByRole('alert').innerText()).trim();
    if (second.state.redirect) throw new Error('the replayed code reached the app');
    report = { redirect, refused: alert };
  } else if (mode === 'password') {
    const { page, state } = await signInWithPassword();
    step = 'see where the password alone leads';
    await page.waitForURL((url) => !url.href.startsWith(hubOrigin) || !url.pathname.endsWith('/login'));
    await page.waitForLoadState();
    const heading = await page.getByRole('heading').first().innerText().catch(() => '');
    report = { redirect: state.redirect ?? null, url: page.url(), heading };
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  console.log(JSON.stringify(report));
  await browser.close();
} catch (error) {
  console.error(`failed at: ${step}: ${error.message}`);
  await browser?.close();
  process.exit(1);
}
