// Client authentication with signed assertions (RFC 7523, OIDC Core §9), as openid-client
// does it: registers one client per method at the hub (RFC 7591, with an initial access
// token) — private_key_jwt with a fresh key pair of ALG whose public half goes in `jwks`,
// and client_secret_jwt — then runs client_credentials and introspects the token, each
// authenticated with its assertion. Prints what the hub answered as JSON.
//
// Usage: node assertions.mjs ISSUER INITIAL_ACCESS_TOKEN ALG   (ALG: ES256, PS256, EdDSA, RS256)
import * as oidc from 'openid-client';

const [issuer, initialAccessToken, alg] = process.argv.slice(2);
const insecure = { execute: [oidc.allowInsecureRequests] }; // the test hub runs on http://127.0.0.1

const algorithms = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  PS256: { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  RS256: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  EdDSA: { name: 'Ed25519' },
};
const { privateKey, publicKey } = await crypto.subtle.generateKey(algorithms[alg], true, ['sign', 'verify']);
const jwk = { ...(await crypto.subtle.exportKey('jwk', publicKey)), kid: 'test-key', alg, use: 'sig' };
delete jwk.key_ops;
delete jwk.ext;

async function run(metadata, clientAuthentication) {
  const registered = await oidc.dynamicClientRegistration(
    new URL(issuer),
    { client_name: `openid-client ${metadata.token_endpoint_auth_method}`, grant_types: ['client_credentials'],
      response_types: [], redirect_uris: [], ...metadata },
    undefined,
    { initialAccessToken, ...insecure },
  );
  const { client_id, client_secret } = registered.clientMetadata();
  const config = await oidc.discovery(new URL(issuer), client_id, {}, clientAuthentication(client_secret), insecure);
  const tokens = await oidc.clientCredentialsGrant(config);
  const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
  return { client_id, active: introspected.active, introspected_client_id: introspected.client_id };
}

// openid-client names an Ed25519 signature by RFC 9864's fully-specified "Ed25519"; the
// hub knows RFC 8037's "EdDSA", as the OIDC registries list it.
const modifyAssertion = alg === 'EdDSA' ? (header) => { header.alg = 'EdDSA'; } : undefined;
const privateKeyJwt = await run(
  { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } },
  () => oidc.PrivateKeyJwt({ key: privateKey, kid: 'test-key' }, { [oidc.modifyAssertion]: modifyAssertion }),
);
const clientSecretJwt = await run({ token_endpoint_auth_method: 'client_secret_jwt' }, (secret) =>
  oidc.ClientSecretJwt(secret),
);
console.log(JSON.stringify({ private_key_jwt: privateKeyJwt, client_secret_jwt: clientSecretJwt }));
