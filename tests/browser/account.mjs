// The account page and recovery by e-mail in a real browser (Debian's Chromium through
// playwright-core), by its labels and button names as a person (or assistive technology)
// finds them. The e-mailed links come from the test, which reads them off a real SMTP
// server.
//
//   node account.mjs page    <hub> <username> <password> <new-password>
//   node account.mjs reset   <hub> <identifier>
//   node account.mjs link    <link> [new-password]
//   node account.mjs sign-up <hub> <username> <email> <password>
//
// page: a second browser signs in too; the first opens /account (sending it through the
// login page), saves the profile, revokes each app's access, turns on two-step
// verification (codes from `otpauth`, not the hub) and removes it again, changes the
// password and ends the other session (which must then be asked to sign in), and signs in
// again with the new password at a width of 390 px. reset: "Forgot your password?" from
// the login page. link: opens an e-mailed link and presses its button. sign-up: "Create an
// account" from the login page. Prints one JSON line and exits 0; on failure prints the
// step and the reason, and exits 1.
import * as OTPAuth from 'otpauth';
import { launchChromium } from './chromium.mjs';

const TIMEOUT_MS = 15_000;
const [mode, ...args] = process.argv.slice(2);
let step = 'launch Chromium';
let browser;

async function newPage(viewport) {
  const context = await browser.newContext(viewport ? { viewport } : {});
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.csp = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) page.csp.push(message.text());
  });
  return page;
}

async function signIn(page, username, password) {
  step = `sign in as ${username}`;
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
}

async function openAccount(page, hub, username, password) {
  step = 'open the account page';
  await page.goto(`${hub}/account`);
  if (await page.getByRole('button', { name: 'Sign in' }).count()) await signIn(page, username, password);
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
}

async function notice(page) {
  return (await page.getByRole('status').innerText()).trim();
}

function totp(key, offsetSteps = 0) {
  const generator = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key), algorithm: 'SHA1', digits: 6, period: 30 });
  return generator.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

async function accountPage(hub, username, password, newPassword) {
  const report = { notices: [] };
  const other = await newPage();
  await openAccount(other, hub, username, password);
  const page = await newPage();
  await openAccount(page, hub, username, password);

  step = 'save the profile';
  await page.getByLabel('Full name').fill('Alice Pleasance Liddell');
  await page.getByLabel('Nickname').fill('Al');
  await page.getByRole('button', { name: 'Save profile' }).click();
  report.notices.push(await notice(page));
  if ((await page.getByLabel('Full name').inputValue()) !== 'Alice Pleasance Liddell') throw new Error('the name was not kept');

  step = 'revoke the apps’ access';
  report.revoked = [];
  for (;;) {
    const revoke = page.getByRole('button', { name: /^Revoke access of / });
    if (!(await revoke.count())) break;
    report.revoked.push((await revoke.first().getAttribute('aria-label')).replace('Revoke access of ', ''));
    await revoke.first().click();
    report.notices.push(await notice(page));
  }

  step = 'turn on two-step verification';
  await page.getByRole('link', { name: 'Set up an authenticator' }).click();
  const key = (await page.locator('#totp-secret').innerText()).trim();
  await page.getByLabel('Code').fill(totp(key));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByText('Two-step verification is now on.').waitFor();
  await page.goto(`${hub}/account`);
  report.second_factor_on = (await page.getByText('with an authenticator app').count()) === 1;
  step = 'remove the authenticator';
  await page.getByRole('button', { name: 'Remove the authenticator' }).click();
  report.notices.push(await notice(page));
  await page.getByRole('link', { name: 'Set up an authenticator' }).waitFor();

  step = 'change the password';
  await page.getByLabel('Current password').fill(password);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  report.notices.push(await notice(page));

  step = 'see the other browser signed out';
  await other.goto(`${hub}/account`);
  report.other_asked_to_sign_in = (await other.getByRole('button', { name: 'Sign in' }).count()) === 1;

  step = 'sign in with the new password on a small screen';
  const small = await newPage({ width: 390, height: 844 });
  await openAccount(small, hub, username, newPassword);
  report.small_screen_overflows = await small.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  step = 'end the other session';
  const signOut = small.getByRole('button', { name: /^Sign out the session since / });
  report.other_sessions = await signOut.count();
  if (report.other_sessions) {
    await signOut.first().click();
    report.notices.push(await notice(small));
  }
  report.csp = [...page.csp, ...other.csp, ...small.csp];
  return report;
}

async function reset(hub, identifier) {
  const page = await newPage();
  step = 'reach the login page';
  await page.goto(`${hub}/account`);
  step = 'follow “Forgot your password?”';
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Username or e-mail').fill(identifier);
  await page.getByRole('button', { name: 'Send the link' }).click();
  return { notice: await notice(page), csp: page.csp };
}

async function followLink(link, newPassword) {
  const page = await newPage();
  step = 'open the e-mailed link';
  await page.goto(link);
  const heading = (await page.getByRole('heading').first().innerText()).trim();
  if (newPassword) {
    step = 'choose the new password';
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Set the password' }).click();
  } else {
    step = 'press the link page’s button';
    await page.getByRole('button', { name: /^(Confirm|Create the account)$/ }).click();
  }
  return { heading, notice: await notice(page), csp: page.csp };
}

async function signUp(hub, username, email, password) {
  const page = await newPage();
  step = 'reach the login page';
  await page.goto(`${hub}/account`);
  step = 'follow “Create an account”';
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create the account' }).click();
  return { notice: await notice(page), csp: page.csp };
}

try {
  browser = await launchChromium();
  let report;
  if (mode === 'page') report = await accountPage(...args);
  else if (mode === 'reset') report = await reset(...args);
  else if (mode === 'link') report = await followLink(...args);
  else if (mode === 'sign-up') report = await signUp(...args);
  else throw new Error(`unknown mode ${mode}`);
  console.log(JSON.stringify(report));
  await browser.close();
} catch (error) {
  console.error(`failed at: ${step}: ${error.message}`);
  await browser?.close();
  process.exit(1);
}
