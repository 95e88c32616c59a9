// A small server-rendered app that signs its users in through the hub with openid-client:
// authorization code + PKCE + state + nonce, a server-side session, userinfo, its own API
// route that checks the hub's access tokens, RP-initiated logout and back-channel logout.
// Settings come from the environment: HUB_ISSUER, APP_CLIENT_ID, APP_CLIENT_SECRET, APP_PORT.
import { randomBytes } from 'node:crypto';
import express from 'express';
import * as client from 'openid-client';
import { tokenChecks } from './tokens.mjs';

const { HUB_ISSUER, APP_CLIENT_ID, APP_CLIENT_SECRET } = process.env;
const APP_PORT = Number(process.env.APP_PORT ?? 3000);
if (!HUB_ISSUER || !APP_CLIENT_ID || !APP_CLIENT_SECRET) {
  console.error('set HUB_ISSUER, APP_CLIENT_ID and APP_CLIENT_SECRET (and APP_PORT)');
  process.exit(2);
}
const APP_URL = `http://127.0.0.1:${APP_PORT}`;
const REDIRECT_URI = `${APP_URL}/callback`;
const SCOPE = 'openid profile email';
const COOKIE = 'app_session';

// Discovery checks that the document's `issuer` is HUB_ISSUER. The hub's default client
// authentication is client_secret_basic, and it accepts only the registered method.
// openid-client refuses plain http, except when told: only for a hub on loopback.
const config = await client.discovery(
  new URL(HUB_ISSUER),
  APP_CLIENT_ID,
  APP_CLIENT_SECRET,
  client.ClientSecretBasic(APP_CLIENT_SECRET),
  new URL(HUB_ISSUER).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
);
const hub = config.serverMetadata();
const checks = tokenChecks({ issuer: hub.issuer, jwksUri: hub.jwks_uri, clientId: APP_CLIENT_ID });

// Server-side sessions, keyed by a random id in an HttpOnly cookie. In memory, so they
// are lost on restart and not shared between processes: in production keep them in a
// store with a TTL (Redis, the database) behind the same cookie.
const sessions = new Map();

function currentSession(req) {
  const id = cookies(req)[COOKIE];
  return id && sessions.has(id) ? { id, session: sessions.get(id) } : {};
}

function startSession(res, session) {
  const id = randomBytes(32).toString('base64url');
  sessions.set(id, session);
  // Lax, not Strict: the browser must send it on the hub's top-level redirect to /callback.
  res.cookie(COOKIE, id, { httpOnly: true, sameSite: 'lax', secure: APP_URL.startsWith('https:'), path: '/' });
}

function cookies(req) {
  const pairs = (req.headers.cookie ?? '').split(';').map((part) => part.trim().split('='));
  return Object.fromEntries(pairs.filter(([name, value]) => name && value !== undefined));
}

const app = express();
app.disable('x-powered-by');

app.get('/', async (req, res) => {
  const { id, session } = currentSession(req);
  if (!session?.user) return res.send(page('<p><a href="/login">Log in</a></p>'));
  try {
    await refreshIfExpired(session);
  } catch (error) {
    // The hub no longer honours the grant (revoked, expired): the user signs in again.
    console.warn('refresh failed:', error.message);
    sessions.delete(id);
    return res.send(page('<p>Your session at the hub has ended.</p><p><a href="/login">Log in</a></p>'));
  }
  const api = await callOwnApi(session.tokens.access_token);
  res.send(
    page(`<p>Signed in as ${escape(session.user.preferred_username)}</p>
<p>E-mail: ${escape(session.user.email)}</p>
<p>API: ${escape(api)}</p>
<form method="post" action="/logout"><button type="submit">Log out</button></form>`),
  );
});

app.get('/login', async (req, res) => {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  // A fresh session for every sign-in: nothing from before it carries over.
  startSession(res, { pending: { codeVerifier, state, nonce } });
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  res.redirect(url.href);
});

app.get('/callback', async (req, res) => {
  const { id, session } = currentSession(req);
  if (!session?.pending) return res.status(400).send(page('<p>No sign-in in progress.</p><p><a href="/login">Log in</a></p>'));
  const { codeVerifier, state, nonce } = session.pending;
  try {
    // Checks the response's state and iss (RFC 9207), exchanges the code with the
    // verifier, and checks the ID token (signature, iss, aud, exp, nonce).
    const tokens = await client.authorizationCodeGrant(config, new URL(req.originalUrl, APP_URL), {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    const user = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    sessions.delete(id);
    startSession(res, { user, sid: claims.sid, sub: claims.sub, tokens: keep(tokens) });
    res.redirect('/');
  } catch (error) {
    sessions.delete(id);
    res.status(400).send(page(`<p>Sign-in failed: ${escape(error.message)}</p><p><a href="/login">Log in</a></p>`));
  }
});

// RP-initiated logout: end the app's session, then the hub's, which sends the browser
// back to `/` (a registered post_logout_redirect_uri). A POST, so no other site can log
// the user out with a link.
app.post('/logout', (req, res) => {
  const { id, session } = currentSession(req);
  sessions.delete(id);
  res.clearCookie(COOKIE, { path: '/' });
  if (!session?.tokens) return res.redirect('/');
  const url = client.buildEndSessionUrl(config, {
    id_token_hint: session.tokens.id_token,
    post_logout_redirect_uri: `${APP_URL}/`,
  });
  res.redirect(url.href);
});

// Back-Channel Logout 1.0: the hub posts a logout token when a hub session ends (the user
// signs out elsewhere, an administrator revokes it). End every app session of that sid.
app.post('/backchannel-logout', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
  res.set('Cache-Control', 'no-store');
  let claims;
  try {
    claims = await checks.logoutToken(req.body?.logout_token ?? '');
  } catch (error) {
    return res.status(400).json({ error: 'invalid_request', error_description: error.message });
  }
  let ended = 0;
  for (const [id, session] of sessions) {
    const sameSession = claims.sid ? session.sid === claims.sid : session.sub === claims.sub;
    if (session.user && sameSession && (!claims.sub || session.sub === claims.sub)) {
      sessions.delete(id);
      ended += 1;
    }
  }
  console.log(`back-channel logout: sid ${claims.sid ?? '-'}, ${ended} app session(s) ended`);
  res.status(200).end();
});

// The app's own protected API: a resource server that accepts the hub's access tokens.
app.get('/api/me', async (req, res) => {
  const [scheme, token] = (req.get('authorization') ?? '').split(' ');
  try {
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw new Error('no bearer token');
    const claims = await checks.accessToken(token);
    res.json({ sub: claims.sub, client_id: claims.client_id, scope: claims.scope });
  } catch (error) {
    res.set('WWW-Authenticate', 'Bearer error="invalid_token"').status(401).json({ error: 'invalid_token' });
  }
});

// The page calls its API over HTTP, as a browser or another service would.
async function callOwnApi(accessToken) {
  const response = await fetch(`${APP_URL}/api/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  if (!response.ok) return `refused (${response.status})`;
  return (await response.json()).sub;
}

// Access tokens live minutes (HUB_ACCESS_TOKEN_TTL_SECS); the refresh token (rotated on
// every use, so the new one replaces the old) gets a new one shortly before expiry.
async function refreshIfExpired(session) {
  if (session.tokens.expiresAt > Date.now() + 10_000 || !session.tokens.refresh_token) return;
  const tokens = await client.refreshTokenGrant(config, session.tokens.refresh_token);
  console.log(`access token refreshed (id_token ${tokens.id_token ? 'renewed' : 'kept'})`);
  session.tokens = { ...keep(tokens), id_token: tokens.id_token ?? session.tokens.id_token };
}

function keep(tokens) {
  const { access_token, refresh_token, id_token } = tokens;
  return { access_token, refresh_token, id_token, expiresAt: Date.now() + (tokens.expiresIn() ?? 0) * 1000 };
}

function page(body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Example app (openid-client)</title></head>
<body><h1>Example app</h1>
${body}
</body></html>`;
}

function escape(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

app.listen(APP_PORT, '127.0.0.1', () => console.log(`listening on ${APP_URL}, hub ${hub.issuer}`));
