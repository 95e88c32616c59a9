// A pushed authorization request (RFC 9126) as openid-client makes it: the request goes
// to the discovered pushed_authorization_request_endpoint, authenticated with
// client_secret_basic, and the authorization URL carries only client_id and the
// request_uri the hub answered. Prints the URL and what the app must check.
//
// Usage: node par.mjs ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI
import * as oidc from 'openid-client';

const [issuer, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
  execute: [oidc.allowInsecureRequests], // the test hub runs on http://127.0.0.1
});
const verifier = oidc.randomPKCECodeVerifier();
const state = oidc.randomState();
const nonce = oidc.randomNonce();
const url = await oidc.buildAuthorizationUrlWithPAR(config, {
  redirect_uri: redirectUri,
  scope: 'openid email',
  code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state,
  nonce,
});
console.log(JSON.stringify({ url: url.href, state, nonce, verifier }));
