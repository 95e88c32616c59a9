"""Checks a back-channel logout token (OpenID Connect Back-Channel Logout 1.0 §2.6).

Flask-OIDC has no back-channel logout, so the app checks the token itself with joserfc,
the JOSE library Authlib already uses to verify ID tokens: the hub's signature (keys from
its JWKS, by a pinned algorithm), `iss`, `aud`, `iat`, `exp`, the logout event, a `sid`
and no `nonce`.
"""

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

EVENT = "http://schemas.openid.net/event/backchannel-logout"

# The hub signs a client's logout tokens as its ID tokens: with the algorithm the client
# registered (`hub client add --id-token-alg`, RS256 unless told). Name that one here
# (PS256, ES256 or EdDSA instead, for a client registered with it), not the list the hub
# advertises: that list holds HS256, which is keyed with a client secret, not the hub's
# published keys, and "none" must never verify anything.
ALGORITHMS = ["RS256"]


class InvalidLogoutToken(Exception):
    """The token is not a logout token from the hub for this app."""


def session_id(token: str, oidc_app, client_id: str) -> str:
    """The `sid` of the hub session that `token` ends, once its signature and claims hold.

    `oidc_app` is Flask-OIDC's Authlib app, which knows the hub's metadata and JWKS.
    """
    metadata = oidc_app.load_server_metadata()
    registry = JWSRegistry(algorithms=ALGORITHMS)
    try:
        try:
            decoded = jwt.decode(token, KeySet.import_key_set(oidc_app.fetch_jwk_set()), registry=registry)
        except InvalidKeyIdError:
            # The hub rotated its keys since we last fetched them.
            decoded = jwt.decode(token, KeySet.import_key_set(oidc_app.fetch_jwk_set(force=True)), registry=registry)
        claims = jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": client_id},
            # §2.4 (with errata set 1) requires both; joserfc checks them only when present.
            iat={"essential": True},
            exp={"essential": True},
            sid={"essential": True},
            events={"essential": True},
        )
        claims.validate(decoded.claims)
    except (JoseError, ValueError) as error:
        raise InvalidLogoutToken(str(error)) from error
    if decoded.header.get("typ", "").lower() != "logout+jwt":
        raise InvalidLogoutToken("typ is not logout+jwt")
    if not isinstance(decoded.claims["events"], dict) or EVENT not in decoded.claims["events"]:
        raise InvalidLogoutToken("not a logout event")
    if "nonce" in decoded.claims:
        raise InvalidLogoutToken("a logout token has no nonce")
    return decoded.claims["sid"]
