// The page: "Log in" when signed out; signed in, the user's name and e-mail, the answer of
// the app's API (called with the access token), renewing the tokens two ways, and "Log out".
import { userManager } from '/oidc.js';

const main = document.querySelector('main');

// Built from DOM nodes and text, never HTML strings: claims are data, not markup.
function paragraph(...children) {
  const node = document.createElement('p');
  node.append(...children);
  return node;
}

function button(label, onClick) {
  const node = document.createElement('button');
  node.type = 'button';
  node.textContent = label;
  node.addEventListener('click', onClick);
  return node;
}

function renderSignedOut(message) {
  main.replaceChildren(
    ...(message ? [paragraph(message)] : []),
    paragraph(button('Log in', () => userManager.signinRedirect())),
  );
}

async function callApi(user) {
  const response = await fetch('/api/me', { headers: { Authorization: `Bearer ${user.access_token}` } });
  if (!response.ok) return `refused (${response.status})`;
  return (await response.json()).sub;
}

// The hub refuses a renewal once the user's hub session has ended (signed out elsewhere,
// revoked by an administrator): the refresh token's grant is revoked (invalid_grant) and
// prompt=none finds no session (login_required). Then the app is signed out too.
async function signedOutAtTheHub(error) {
  if (error.error !== 'invalid_grant' && error.error !== 'login_required') return false;
  await userManager.removeUser();
  renderSignedOut('Your session at the hub has ended.');
  return true;
}
userManager.events.addSilentRenewError((error) => void signedOutAtTheHub(error));

function expiry(user) {
  return new Date(user.expires_at * 1000).toISOString();
}

async function renderSignedIn(user) {
  const api = paragraph(`API: ${await callApi(user)}`);
  const expires = paragraph(`Access token expires at ${expiry(user)}`);
  const status = paragraph();
  status.setAttribute('role', 'status');
  // signinSilent() uses the refresh token when the user has one (a client of the
  // refresh_token grant); else, or with forceIframeAuth, it signs in again in a hidden
  // iframe with prompt=none, on the user's session at the hub.
  const renew = (args = {}) => async () => {
    status.textContent = 'Renewing…';
    const current = await userManager.getUser();
    const how = current?.refresh_token && !args.forceIframeAuth ? 'Renewed with the refresh token' : 'Renewed in an iframe';
    try {
      const renewed = await userManager.signinSilent(args);
      api.textContent = `API: ${await callApi(renewed)}`;
      expires.textContent = `Access token expires at ${expiry(renewed)}`;
      status.textContent = `${how}: the access token now expires at ${expiry(renewed)}`;
    } catch (error) {
      if (!(await signedOutAtTheHub(error))) status.textContent = `Renewal failed: ${error.message}`;
    }
  };
  main.replaceChildren(
    paragraph(`Signed in as ${user.profile.preferred_username}`),
    paragraph(`E-mail: ${user.profile.email}`),
    api,
    expires,
    paragraph(button('Renew session', renew())),
    paragraph(button('Renew in an iframe', renew({ forceIframeAuth: true }))),
    status,
    // Sends id_token_hint and post_logout_redirect_uri to the hub's end_session_endpoint.
    paragraph(button('Log out', () => userManager.signoutRedirect())),
  );
}

async function start() {
  const url = new URL(window.location.href);
  if (url.pathname === '/callback') {
    // Checks state, exchanges the code with the PKCE verifier, loads userinfo.
    try {
      await userManager.signinRedirectCallback();
    } catch (error) {
      window.history.replaceState(null, '', '/');
      return renderSignedOut(`Sign-in failed: ${error.message}`);
    }
    window.history.replaceState(null, '', '/');
  }
  let user = await userManager.getUser();
  if (user?.expired) {
    // Expired while the page was not open: renew once (refresh token), else sign in again.
    user = await userManager.signinSilent().catch(() => userManager.removeUser().then(() => null));
  }
  if (user) await renderSignedIn(user);
  else renderSignedOut();
}

start().catch((error) => renderSignedOut(`Error: ${error.message}`));
