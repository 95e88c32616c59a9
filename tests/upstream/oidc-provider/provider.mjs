// A real upstream OpenID Provider for the hub's federation tests: npm's oidc-provider
// (an independent, OpenID-certified implementation) with its built-in login pages.
//
//   node provider.mjs <port> <client_id> <client_secret> <redirect_uri> [backchannel_logout_uri]
//
// With ID_TOKEN_ALG=HS256 in the environment, the client's ID tokens (and logout tokens)
// are signed with its secret, as Frappe and django-oauth-toolkit do.
//
// Prints one line, `ready <issuer>`, once it listens. Its development login page signs
// in any username (with any password); the account's claims are
// { email: <username>@corp.example.com, email_verified: true, name, preferred_username },
// changed per account by the tests through `PUT /__test/accounts/<username>` (a JSON
// object merged over them; `groups` is released with the `groups` scope).
//
// `PUT /__test/fault` ({"mode": …}) makes the token endpoint misbehave the way a broken or
// hostile upstream would, to test the hub's validation (oidc-provider itself never does):
//   none             answer as the provider does
//   tamper           change the ID token's payload after signing (bad signature)
//   alg-none         an unsigned ID token (alg none)
//   claims           merge `claims` into the ID token, re-signed with the published key
//   rotated-key      re-sign with a new key, which the JWKS then publishes as well
//   unpublished-key  re-sign with a key the JWKS never publishes
//   token-error      the token endpoint answers 500
//   huge-token       the token response carries a megabyte of padding
//
// `POST /__test/logout-token` ({"claims": …, "key": "published" | "unpublished"}) answers
// a logout token for the client, signed as the provider signs its own, with `claims`
// merged over the standard ones (a null removes one): for the hub's validation tests.
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri, backchannelLogoutUri] = process.argv.slice(2);
if (!redirectUri) {
  console.error('usage: node provider.mjs <port> <client_id> <client_secret> <redirect_uri> [backchannel_logout_uri]');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

function rsaKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, jwk: { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' } };
}
const signing = rsaKey();
const rotated = rsaKey();
const unpublished = rsaKey();
const publicJwk = ({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use });

const overrides = new Map();
let fault = { mode: 'none' };

const client = {
  client_id: clientId,
  client_secret: clientSecret,
  redirect_uris: [redirectUri],
  post_logout_redirect_uris: [new URL('/upstream/logged-out', redirectUri).href],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  id_token_signed_response_alg: process.env.ID_TOKEN_ALG ?? 'RS256',
};
if (backchannelLogoutUri) {
  client.backchannel_logout_uri = backchannelLogoutUri;
  // Sessions are named in ID tokens (`sid`) and logout tokens.
  client.backchannel_logout_session_required = true;
}

const provider = new Provider(issuer, {
  jwks: { keys: [signing.jwk] },
  clients: [client],
  pkce: { required: () => true },
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'HS256'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups'],
  },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@corp.example.com`,
          email_verified: true,
          name: id,
          preferred_username: id,
          ...overrides.get(id),
        };
      },
    };
  },
  // Its outgoing requests (back-channel logout) refuse loopback addresses by default, as
  // an SSRF guard; the hub under test listens on loopback.
  fetch: (url, { dispatcher: _ssrfGuard, ...options }) => globalThis.fetch(url, options),
  features: {
    devInteractions: { enabled: true },
    backchannelLogout: { enabled: Boolean(backchannelLogoutUri) },
    rpInitiatedLogout: { enabled: true },
  },
});
// The tests run on plain http loopback.
provider.proxy = false;
// Errors go to stderr, which the tests keep in a log file.
for (const event of ['server_error', 'backchannel.error', 'end_session.error', 'grant.error']) {
  provider.on(event, (_ctx, error) => console.error(event, error?.message ?? error, error?.cause?.message ?? ''));
}

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString());

function resign(idToken, key, extraClaims = {}) {
  const [, payload] = idToken.split('.');
  const header = b64url({ alg: 'RS256', typ: 'JWT', kid: key.jwk.kid });
  const body = b64url({ ...decode(payload), ...extraClaims });
  const signature = createSign('RSA-SHA256').update(`${header}.${body}`).sign(key.privateKey).toString('base64url');
  return `${header}.${body}.${signature}`;
}

function logoutToken(claims, key) {
  const now = Math.floor(Date.now() / 1000);
  const standard = {
    iss: issuer,
    aud: clientId,
    iat: now,
    exp: now + 120,
    jti: randomUUID(),
    events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
  };
  const merged = Object.fromEntries(
    Object.entries({ ...standard, ...claims }).filter(([, value]) => value !== null),
  );
  const header = b64url({ alg: 'RS256', typ: 'logout+jwt', kid: key.jwk.kid });
  const body = b64url(merged);
  const signature = createSign('RSA-SHA256').update(`${header}.${body}`).sign(key.privateKey).toString('base64url');
  return `${header}.${body}.${signature}`;
}

function misbehave(idToken) {
  const [header, payload, signature] = idToken.split('.');
  switch (fault.mode) {
    case 'tamper':
      return `${header}.${b64url({ ...decode(payload), sub: 'someone-else' })}.${signature}`;
    case 'alg-none':
      return `${b64url({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    case 'claims':
      return resign(idToken, signing, fault.claims ?? {});
    case 'rotated-key':
      return resign(idToken, rotated);
    case 'unpublished-key':
      return resign(idToken, unpublished);
    default:
      return idToken;
  }
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}');
}

provider.use(async (ctx, next) => {
  if (ctx.method === 'PUT' && ctx.path.startsWith('/__test/accounts/')) {
    overrides.set(decodeURIComponent(ctx.path.slice('/__test/accounts/'.length)), await readJson(ctx.req));
    ctx.status = 204;
    return;
  }
  if (ctx.method === 'PUT' && ctx.path === '/__test/fault') {
    fault = await readJson(ctx.req);
    ctx.status = 204;
    return;
  }
  if (ctx.method === 'POST' && ctx.path === '/__test/logout-token') {
    const { claims = {}, key = 'published' } = await readJson(ctx.req);
    ctx.body = logoutToken(claims, key === 'unpublished' ? unpublished : signing);
    return;
  }
  if (ctx.path === '/token' && fault.mode === 'token-error') {
    ctx.status = 500;
    ctx.body = 'upstream failure';
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: misbehave(ctx.body.id_token) };
    if (fault.mode === 'huge-token') ctx.body.padding = 'x'.repeat(1024 * 1024);
  }
  if (ctx.path === '/jwks' && fault.mode === 'rotated-key' && Array.isArray(ctx.body?.keys)) {
    ctx.body = { keys: [...ctx.body.keys, publicJwk(rotated.jwk)] };
  }
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
