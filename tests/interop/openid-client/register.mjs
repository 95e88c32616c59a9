// Registers a client at the hub the way openid-client does (RFC 7591 through the
// discovered registration_endpoint, with an initial access token), then prints what the
// registration answered as JSON: the credentials login.mjs signs in with, and the RFC 7592
// management handle.
//
// Usage: node register.mjs ISSUER INITIAL_ACCESS_TOKEN REDIRECT_URI
import * as oidc from 'openid-client';

const [issuer, initialAccessToken, redirectUri] = process.argv.slice(2);

const config = await oidc.dynamicClientRegistration(
  new URL(issuer),
  {
    client_name: 'Registered by openid-client',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    contacts: ['ops@app.example'],
  },
  undefined,
  {
    initialAccessToken,
    execute: [oidc.allowInsecureRequests], // the test hub runs on http://127.0.0.1
  },
);

const metadata = config.clientMetadata();
console.log(JSON.stringify({
  client_id: metadata.client_id,
  client_secret: metadata.client_secret,
  registration_access_token: metadata.registration_access_token,
  registration_client_uri: metadata.registration_client_uri,
  contacts: metadata.contacts,
}));
