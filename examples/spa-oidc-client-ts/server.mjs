// The browser app's server, and nothing more: it serves the static pages, oidc-client-ts's
// browser build from node_modules, the app's settings as /config.js, and one protected API
// route, /api/me, that checks the hub's access tokens by its JWKS. Signing in happens
// entirely in the browser (a public client: no secret anywhere).
// Settings come from the environment: HUB_ISSUER, APP_CLIENT_ID, APP_PORT.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const { HUB_ISSUER, APP_CLIENT_ID } = process.env;
const APP_PORT = Number(process.env.APP_PORT ?? 3000);
if (!HUB_ISSUER || !APP_CLIENT_ID) {
  console.error('set HUB_ISSUER and APP_CLIENT_ID (and APP_PORT)');
  process.exit(2);
}
const APP_URL = `http://127.0.0.1:${APP_PORT}`;

// The API trusts the keys the hub's own discovery document names, as the SPA does.
const discovery = await (await fetch(new URL('.well-known/openid-configuration', `${HUB_ISSUER.replace(/\/$/, '')}/`))).json();
if (discovery.issuer !== HUB_ISSUER) throw new Error(`the hub says its issuer is ${discovery.issuer}, not ${HUB_ISSUER}`);
const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));

// What the browser gets as settings: public values only.
const CONFIG_JS = `export default ${JSON.stringify({ issuer: HUB_ISSUER, client_id: APP_CLIENT_ID })};\n`;

const here = new URL('./', import.meta.url);
const FILES = {
  '/': ['public/index.html', 'text/html'],
  '/callback': ['public/index.html', 'text/html'],
  '/silent-renew.html': ['public/silent-renew.html', 'text/html'],
  '/app.js': ['public/app.js', 'text/javascript'],
  '/oidc.js': ['public/oidc.js', 'text/javascript'],
  '/silent-renew.js': ['public/silent-renew.js', 'text/javascript'],
  '/lib/oidc-client-ts.js': ['node_modules/oidc-client-ts/dist/browser/oidc-client-ts.min.js', 'text/javascript'],
};

// Tokens live in this origin's storage, so script injection is the threat: only our own
// scripts run, the page talks only to itself and the hub, and it frames only the silent
// renew (the hub's /authorize, redirecting back to our silent-renew.html).
const HUB_ORIGIN = new URL(HUB_ISSUER).origin;
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  `connect-src 'self' ${HUB_ORIGIN}`,
  `frame-src 'self' ${HUB_ORIGIN}`,
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

// RFC 9068 checks, and `client_id`: the hub's access tokens are all audienced to the hub
// itself (`aud` = its issuer), so `client_id` is what says the token was issued to this
// app. Revocation is not seen here; use introspection where it must be.
// The algorithms are HUB_ACCESS_TOKEN_SIGNING_ALG's values: asymmetric only, never the
// hub's advertised list (it holds HS256, keyed with a client secret) nor `none`.
const ACCESS_TOKEN_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

async function checkAccessToken(token) {
  const { payload } = await jwtVerify(token, jwks, {
    algorithms: ACCESS_TOKEN_ALGS,
    issuer: HUB_ISSUER,
    audience: HUB_ISSUER,
    typ: 'at+jwt',
    requiredClaims: ['exp', 'sub', 'client_id'],
  });
  if (payload.client_id !== APP_CLIENT_ID) throw new Error('the access token was issued to another client');
  return payload;
}

async function apiMe(req, res) {
  const [scheme, token] = (req.headers.authorization ?? '').split(' ');
  try {
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw new Error('no bearer token');
    const claims = await checkAccessToken(token);
    send(res, 200, 'application/json', JSON.stringify({ sub: claims.sub, scope: claims.scope, exp: claims.exp }));
  } catch (error) {
    res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
    send(res, 401, 'application/json', JSON.stringify({ error: 'invalid_token', error_description: error.message }));
  }
}

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url, APP_URL).pathname;
  if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
  if (path === '/api/me') return apiMe(req, res);
  res.setHeader('Content-Security-Policy', CSP);
  // No referrer: the callback's URL carries the authorization code until the page
  // replaces it.
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (path === '/config.js') return send(res, 200, 'text/javascript', CONFIG_JS);
  const file = FILES[path];
  if (!file) return send(res, 404, 'text/plain', 'not found');
  try {
    send(res, 200, file[1], await readFile(new URL(file[0], here)));
  } catch (error) {
    console.error(error);
    send(res, 500, 'text/plain', 'could not read the file');
  }
});
server.listen(APP_PORT, '127.0.0.1', () => console.log(`listening on ${APP_URL}, hub ${HUB_ISSUER}`));
