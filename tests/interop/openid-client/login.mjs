// Signs a user in to the hub as an app server using openid-client would: discovery, an
// authorization request with PKCE, state and nonce, the browser's part (login and consent
// forms, every redirect followed by hand), the code exchange with ID token validation
// (including RFC 9207 `iss`), userinfo, a refresh, then introspection (RFC 7662) and
// revocation (RFC 7009) of what it holds. Prints what it learned as JSON.
//
// Usage: node login.mjs ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD
import * as oidc from 'openid-client';

const [issuer, clientId, clientSecret, redirectUri, username, password] = process.argv.slice(2);

const config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
  execute: [oidc.allowInsecureRequests], // the test hub runs on http://127.0.0.1
});

const verifier = oidc.randomPKCECodeVerifier();
const state = oidc.randomState();
const nonce = oidc.randomNonce();
const authorizationUrl = oidc.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: 'openid profile email',
  code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state,
  nonce,
});

// The browser: a cookie jar and manual redirects.
const cookies = new Map();
async function browse(url, form) {
  const headers = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  const init = { redirect: 'manual', headers };
  if (form) {
    init.method = 'POST';
    init.body = new URLSearchParams(form);
  }
  const response = await fetch(url, init);
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    cookies.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const body = await response.text();
  const location = response.headers.get('location');
  return { status: response.status, body, location: location && new URL(location, url).href, url };
}
function hiddenInputs(html) {
  const fields = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields[match[1]] = match[2].replaceAll('&#x2f;', '/').replaceAll('&amp;', '&');
  }
  return fields;
}
function formAction(page) {
  const action = /<form method="post" action="([^"]+)"/.exec(page.body)[1].replaceAll('&#x2f;', '/');
  return new URL(action, page.url).href;
}

let page = await browse(authorizationUrl.href);
while (page.location && !page.location.startsWith(redirectUri)) {
  page = await browse(page.location);
  if (page.body.includes('>Password</label>')) {
    page = await browse(formAction(page), { ...hiddenInputs(page.body), username, password });
  } else if (page.body.includes('>Allow</button>')) {
    page = await browse(formAction(page), { ...hiddenInputs(page.body), decision: 'allow' });
  }
}
if (!page.location) throw new Error(`the hub did not redirect back (status ${page.status}): ${page.body.slice(0, 300)}`);

const tokens = await oidc.authorizationCodeGrant(config, new URL(page.location), {
  pkceCodeVerifier: verifier,
  expectedState: state,
  expectedNonce: nonce,
  idTokenExpected: true,
});
const claims = tokens.claims();
const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);

const introspected = await oidc.tokenIntrospection(config, refreshed.access_token);
// The first access token alone, then the grant through its refresh token.
await oidc.tokenRevocation(config, tokens.access_token, { token_type_hint: 'access_token' });
const afterAccessRevoked = await oidc.tokenIntrospection(config, tokens.access_token);
const grantStillActive = await oidc.tokenIntrospection(config, refreshed.refresh_token);
await oidc.tokenRevocation(config, refreshed.refresh_token);
const afterGrantRevoked = await oidc.tokenIntrospection(config, refreshed.access_token);

console.log(JSON.stringify({
  sub: claims.sub,
  iss: claims.iss,
  email: userinfo.email,
  preferred_username: userinfo.preferred_username,
  refreshed: typeof refreshed.access_token === 'string' && refreshed.refresh_token !== tokens.refresh_token,
  introspected: { active: introspected.active, sub: introspected.sub, client_id: introspected.client_id },
  revoked_access_token_active: afterAccessRevoked.active,
  refresh_token_active_after_access_revoked: grantStillActive.active,
  access_token_active_after_grant_revoked: afterGrantRevoked.active,
}));
