// Drives one of the example apps (examples/*) through the hub in a real browser (Debian's
// Chromium through playwright-core), as its user would: the app's "Log in", the hub's
// login page (and its consent page, when the app asks), back at the app signed in, then
// whatever steps the test names, then "Log out" through the hub's "Sign out" page and
// back at the app signed out.
//
//   node example-app.mjs <app-url> <username> <password> [--step "<button or link>=><text>"]… [--wait]
//
// Each --step presses a button or link on the app's page, by its accessible name, and
// waits for the text to appear. With --wait, after signing in it prints the signed-in
// page and waits for a line on standard input (the test ends the hub's session meanwhile,
// for instance), then reloads the app's page and reports it instead of logging out.
//
// Prints one JSON line, {"signed_in": "<page text>", "steps": […], "signed_out": "<page
// text>"}, and exits 0; on failure prints the step and the reason, and exits 1.
import { createInterface } from 'node:readline';
import { launchChromium } from './chromium.mjs';

const TIMEOUT_MS = 20_000;

const args = process.argv.slice(2);
const [appUrl, username, password] = args;
if (!password) {
  console.error('usage: node example-app.mjs <app-url> <username> <password> [--step "<name>=><text>"]… [--wait]');
  process.exit(2);
}
const steps = [];
for (let i = 3; i < args.length; i += 1) {
  if (args[i] === '--step') {
    const [name, text] = args[++i].split('=>');
    steps.push({ name, text });
  }
}
const waitForSignal = args.includes('--wait');
const appOrigin = new URL(appUrl).origin;

const nextLine = () =>
  new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.once('line', (line) => {
      lines.close();
      // Otherwise an open stdin (the test still holds its end) keeps node running.
      process.stdin.destroy();
      resolve(line);
    });
  });

let step = 'launch Chromium';
let browser;
let page;
try {
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  const atTheApp = (url) => url.origin === appOrigin;
  const text = async () => (await page.locator('body').innerText()).trim();
  const logIn = () => page.getByRole('button', { name: /log ?in/i }).or(page.getByRole('link', { name: /log ?in/i }));
  const press = (name) => page.getByRole('button', { name }).or(page.getByRole('link', { name })).first().click();

  step = 'open the app';
  await page.goto(appUrl);
  step = 'press the app’s “Log in”';
  await press(/log ?in/i);
  step = 'sign in on the hub’s login page';
  await page.waitForURL((url) => !atTheApp(url));
  await page.getByLabel(/username|email/i).fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  step = 'come back to the app (through the consent page, when the hub shows one)';
  const allow = page.getByRole('button', { name: 'Allow' });
  await page.waitForFunction(() => document.readyState === 'complete');
  await Promise.race([
    page.waitForURL(atTheApp),
    allow.waitFor().then(() => allow.click()),
  ]);
  await page.waitForURL(atTheApp);
  step = 'see the app’s signed-in page';
  await page.getByText(/signed in as/i).first().waitFor();
  const result = { signed_in: await text(), steps: [] };

  for (const { name, text: expected } of steps) {
    step = `press “${name}” and see “${expected}”`;
    await press(name);
    await page.getByText(expected).first().waitFor();
    result.steps.push(await text());
  }

  if (waitForSignal) {
    console.log(JSON.stringify({ signed_in: result.signed_in }));
    step = 'wait for the test’s signal';
    await nextLine();
    step = 'reload the app’s page';
    await page.reload();
  } else {
    step = 'press the app’s “Log out”';
    await press(/log ?out/i);
    step = 'press “Sign out” on the hub’s page';
    const signOut = page.getByRole('button', { name: 'Sign out' });
    await signOut.or(logIn()).first().waitFor();
    if (!atTheApp(new URL(page.url()))) await signOut.click();
    step = 'come back to the app';
    await page.waitForURL(atTheApp);
  }
  step = 'see the app signed out';
  await logIn().first().waitFor();
  result.signed_out = await text();
  if (problems.length) throw new Error(`errors in the browser: ${problems.join('; ')}`);
  console.log(JSON.stringify(result));
  await browser.close();
} catch (error) {
  console.error(`failed at: ${step}: ${error.message}`);
  // Where the browser was and what it showed say more than a timeout does.
  const shown = await page?.locator('body').innerText({ timeout: 1_000 }).catch(() => '');
  if (page) console.error(`page: ${page.url()}\n${(shown ?? '').slice(0, 2_000)}`);
  await browser?.close();
  process.exit(1);
}
