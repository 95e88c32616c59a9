// Debian's Chromium (never a downloaded browser), headless, as every browser test runs it.
import { chromium } from 'playwright-core';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ARGS });
}

// A page of a journey through the hub back to an app that is not running: `state.csp`
// collects the hub pages' CSP violations, and `state.redirect` the app's redirect URI once
// reached. Playwright does not route a request reached by a redirect (its docs say so), so
// the journey's end is read from the request event instead.
export async function journeyPage(context, { hubOrigin, appRedirect, state, timeout }) {
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()) && page.url().startsWith(hubOrigin)) {
      state.csp.push(message.text());
    }
  });
  page.on('request', (request) => {
    if (request.url().startsWith(appRedirect)) state.redirect = request.url();
  });
  await page.route((url) => url.href.startsWith(appRedirect), (route) =>
    route.fulfill({ status: 200, contentType: 'text/plain', body: 'signed in' }));
  return page;
}
