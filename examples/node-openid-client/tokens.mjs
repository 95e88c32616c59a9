// The two JWTs this app checks itself with jose, against the hub's published keys
// (jwks_uri): the access tokens its API is called with (RFC 9068) and the logout tokens
// the hub posts to it (OpenID Connect Back-Channel Logout 1.0 §2.6). ID tokens are
// openid-client's to check.
import { createRemoteJWKSet, jwtVerify } from 'jose';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

// The algorithms each kind of token may be signed with, never the hub's advertised list
// (it holds HS256, keyed with a client secret) and never `none`. Access tokens: any of
// HUB_ACCESS_TOKEN_SIGNING_ALG's values. Logout tokens are signed as the client's ID
// tokens: the `--id-token-alg` it registered, RS256 unless told (or PS256, ES256, EdDSA).
const ACCESS_TOKEN_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const LOGOUT_TOKEN_ALGS = ['RS256'];

export function tokenChecks({ issuer, jwksUri, clientId }) {
  // Fetched on first use and cached; refetched (rate-limited) when a token names a key
  // id it has not seen, so the hub can rotate its keys without a restart here.
  const jwks = createRemoteJWKSet(new URL(jwksUri));

  return {
    // The hub's access tokens are audienced to the hub itself (`aud` = its issuer), so
    // any client's token would pass the RFC 9068 checks alone: `client_id` is what
    // says the token was issued to this app. Revocation is not seen here; a resource
    // server that must see it within a token's lifetime uses introspection instead.
    async accessToken(token) {
      const { payload } = await jwtVerify(token, jwks, {
        algorithms: ACCESS_TOKEN_ALGS,
        issuer,
        audience: issuer,
        typ: 'at+jwt',
        requiredClaims: ['exp', 'sub', 'client_id'],
      });
      if (payload.client_id !== clientId) throw new Error('the access token was issued to another client');
      return payload;
    },

    // §2.6: the signature, iss, aud, iat and exp (both required by §2.4 since errata
    // set 1; jwtVerify checks them only when present), the event, sid or sub, and no
    // nonce (which would make it an ID token).
    async logoutToken(token) {
      const { payload } = await jwtVerify(token, jwks, {
        algorithms: LOGOUT_TOKEN_ALGS,
        issuer,
        audience: clientId,
        typ: 'logout+jwt',
        requiredClaims: ['iat', 'exp', 'events'],
      });
      if (typeof payload.events !== 'object' || !(LOGOUT_EVENT in payload.events)) {
        throw new Error('not a logout token: no back-channel logout event');
      }
      if ('nonce' in payload) throw new Error('a logout token carries no nonce');
      if (!payload.sid && !payload.sub) throw new Error('a logout token names a sid or a sub');
      return payload;
    },
  };
}
