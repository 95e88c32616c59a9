// A signed request object (JAR, RFC 9101) as openid-client makes it: registers a client
// at the hub (RFC 7591, with an initial access token) whose ES256 public key goes in
// `jwks` and that signs its request objects with it, then builds the authorization URL
// with the request in a JWT. Prints the URL, the client and what the app must check.
//
// Usage: node jar.mjs ISSUER INITIAL_ACCESS_TOKEN REDIRECT_URI
import * as oidc from 'openid-client';

const [issuer, initialAccessToken, redirectUri] = process.argv.slice(2);
const insecure = { execute: [oidc.allowInsecureRequests] }; // the test hub runs on http://127.0.0.1

const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
const jwk = { ...(await crypto.subtle.exportKey('jwk', publicKey)), kid: 'jar-key', alg: 'ES256', use: 'sig' };
delete jwk.key_ops;
delete jwk.ext;

const config = await oidc.dynamicClientRegistration(
  new URL(issuer),
  {
    client_name: 'openid-client JAR',
    redirect_uris: [redirectUri],
    jwks: { keys: [jwk] },
    request_object_signing_alg: 'ES256',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  undefined,
  { initialAccessToken, ...insecure },
);
const { client_id, client_secret } = config.clientMetadata();
const verifier = oidc.randomPKCECodeVerifier();
const state = oidc.randomState();
const nonce = oidc.randomNonce();
const url = await oidc.buildAuthorizationUrlWithJAR(
  config,
  {
    redirect_uri: redirectUri,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  },
  { key: privateKey, kid: 'jar-key' },
);
console.log(JSON.stringify({ url: url.href, client_id, client_secret, state, nonce, verifier }));
