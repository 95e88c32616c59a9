// The device authorization grant (RFC 8628) as a command-line app using openid-client
// would run it: discovery, a device authorization request to the discovered
// device_authorization_endpoint as a public client (`none`), then polling the token
// endpoint until the person has signed in on another screen; the ID token is validated
// (signature, iss, aud, exp), userinfo read and the refresh token used. Prints one JSON
// line with the user code to enter (the test is the person), then one with the results.
//
// Usage: node device.mjs ISSUER CLIENT_ID
import * as oidc from 'openid-client';

const [issuer, clientId] = process.argv.slice(2);
const config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), {
  execute: [oidc.allowInsecureRequests], // the test hub runs on http://127.0.0.1
});

const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile email' });
console.log(JSON.stringify({
  user_code: device.user_code,
  verification_uri: device.verification_uri,
  verification_uri_complete: device.verification_uri_complete,
  expires_in: device.expires_in,
  interval: device.interval,
}));

const tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
const claims = tokens.claims();
const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
console.log(JSON.stringify({
  sub: claims.sub,
  iss: claims.iss,
  aud: claims.aud,
  amr: claims.amr,
  scope: tokens.scope,
  email: userinfo.email,
  refreshed: typeof refreshed.access_token === 'string' && refreshed.refresh_token !== tokens.refresh_token,
}));
