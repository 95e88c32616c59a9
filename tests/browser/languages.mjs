// A German page in a real browser: Chromium with the de-DE locale (so its Accept-Language
// asks for German) signs in at the hub's login page by its German labels, and then
// switches the page to French with the language links.
//
//   node languages.mjs <authorize-url> <app-redirect> <username> <password>
//
// Prints one JSON line ({lang, heading, redirect, switched_heading}) and exits 0; on failure
// prints the step and the reason, and exits 1.
import { launchChromium } from './chromium.mjs';

const [authorizeUrl, appRedirect, username, password] = process.argv.slice(2);
let step = 'launch Chromium';
let browser;
try {
  browser = await launchChromium();
  const context = await browser.newContext({ locale: 'de-DE' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  let redirect;
  page.on('request', (request) => { if (request.url().startsWith(appRedirect)) redirect = request.url(); });
  await page.route((url) => url.href.startsWith(appRedirect), (route) => route.fulfill({ status: 200, body: 'ok' }));
  step = 'open the login page';
  await page.goto(authorizeUrl);
  const lang = await page.locator('html').getAttribute('lang');
  const heading = (await page.getByRole('heading').first().innerText()).trim();
  step = 'switch to French and back';
  await page.getByRole('link', { name: 'Français' }).click();
  const switchedHeading = (await page.getByRole('heading').first().innerText()).trim();
  await page.getByRole('link', { name: 'Deutsch' }).click();
  step = 'sign in by the German labels';
  await page.getByLabel('Benutzername').fill(username);
  await page.getByLabel('Passwort').fill(password);
  await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
  for (let waited = 0; !redirect && waited < 15_000; waited += 100) await page.waitForTimeout(100);
  if (!redirect) throw new Error('the app was not reached');
  console.log(JSON.stringify({ lang, heading, redirect, switched_heading: switchedHeading }));
  await browser.close();
} catch (error) {
  console.error(`failed at: ${step}: ${error.message}`);
  await browser?.close();
  process.exit(1);
}
