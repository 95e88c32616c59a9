// Signs a person in through the hub and an upstream provider in a real browser (Debian's
// Chromium through playwright-core): the app's authorization request, the hub's login
// page, "Continue with <upstream>", the upstream's own login and consent pages, and back
// through the hub to the app's redirect URI, which is intercepted.
//
//   node federated-login.mjs <authorize-url> <app-redirect-uri> <upstream-display-name> <username>
//
// Prints one JSON line, {"redirect": "<the app's redirect URI with code and state>"}, and
// exits 0; on failure prints the step and the reason, and exits 1.
import { launchChromium } from './chromium.mjs';

const TIMEOUT_MS = 15_000;

const [authorizeUrl, appRedirect, upstreamName, username] = process.argv.slice(2);
if (!username) {
  console.error('usage: node federated-login.mjs <authorize-url> <app-redirect-uri> <upstream-display-name> <username>');
  process.exit(2);
}
const hubOrigin = new URL(authorizeUrl).origin;

let step = 'launch Chromium';
let browser;
try {
  browser = await launchChromium();
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const cspViolations = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()) && page.url().startsWith(hubOrigin)) {
      cspViolations.push(message.text());
    }
  });
  // The app is not running: its redirect URI is where the browser's journey ends.
  let redirect;
  await page.route(`${appRedirect}**`, (route) => {
    redirect = route.request().url();
    return route.fulfill({ status: 200, contentType: 'text/plain', body: 'signed in' });
  });

  step = 'open the app’s authorization request';
  await page.goto(authorizeUrl);
  step = `press “Continue with ${upstreamName}” on the hub’s login page`;
  await page.getByRole('link', { name: `Continue with ${upstreamName}` }).click();
  step = 'sign in on the upstream’s login page';
  await page.locator('input[name="login"]').fill(username);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').first().click();
  step = 'consent on the upstream’s page';
  await page.locator('button[type="submit"]').first().click();
  step = 'come back through the hub to the app';
  await page.waitForURL((url) => url.href.startsWith(appRedirect));
  if (!redirect) throw new Error('the app’s redirect URI was not reached');
  if (cspViolations.length) throw new Error(`CSP violations on the hub’s pages: ${cspViolations.join('; ')}`);
  console.log(JSON.stringify({ redirect }));
  await browser.close();
} catch (error) {
  console.error(`failed at: ${step}: ${error.message}`);
  await browser?.close();
  process.exit(1);
}
