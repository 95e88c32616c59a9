"""The hub's JWTs that reach the app outside mozilla-django-oidc: access tokens at the
app's own API (RFC 9068) and logout tokens (OpenID Connect Back-Channel Logout 1.0).
Both are checked against the hub's published keys (its jwks_uri), with PyJWT."""
import jwt
from django.conf import settings

# The hub signs access tokens as HUB_ACCESS_TOKEN_SIGNING_ALG says (RS256, PS256, ES256
# or EdDSA); logout tokens as the client's ID tokens.
ACCESS_TOKEN_ALGS = ["RS256", "PS256", "ES256", "EdDSA"]
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"

# Fetches the JWK Set on first use, keeps it five minutes, and fetches it again when a
# token names a key it has not seen (the hub rotated its keys).
_jwks = jwt.PyJWKClient(settings.OIDC_OP_JWKS_ENDPOINT, timeout=10)


class InvalidToken(Exception):
    pass


def _decode(token, algorithms, typ, audience, required):
    """A signature by one of the hub's keys, `typ`, `iss`, `aud`, `exp` and `iat`."""
    try:
        key = _jwks.get_signing_key_from_jwt(token)
        decoded = jwt.decode_complete(
            token,
            key,
            algorithms=algorithms,
            issuer=settings.HUB_ISSUER,
            audience=audience,
            options={"require": ["iss", "aud", "exp", "iat", *required]},
        )
    except jwt.PyJWTError as error:  # PyJWKClientError is one too
        raise InvalidToken(str(error)) from error
    if decoded["header"].get("typ", "").lower() not in (typ, f"application/{typ}"):
        raise InvalidToken(f"typ is not {typ}")
    return decoded["payload"]


def verify_access_token(token):
    """RFC 9068 §4. The hub issues every access token for itself (`aud` is its issuer;
    it has no resource indicators), so the app tells its own tokens apart by
    `client_id`: it accepts only tokens the hub issued to this app."""
    claims = _decode(token, ACCESS_TOKEN_ALGS, "at+jwt", settings.HUB_ISSUER, ["sub", "client_id", "jti"])
    if claims["client_id"] != settings.OIDC_RP_CLIENT_ID:
        raise InvalidToken("issued to another client")
    return claims


def verify_logout_token(token):
    """Back-Channel Logout 1.0 §2.6: validated as an ID token is (signature, `iss`,
    `aud` = this client, `iat`), plus the logout event, no `nonce`, and a `sid` or
    `sub` saying what to end."""
    claims = _decode(token, [settings.OIDC_RP_SIGN_ALGO], "logout+jwt", settings.OIDC_RP_CLIENT_ID, ["jti", "events"])
    events = claims["events"]
    if not isinstance(events, dict) or not isinstance(events.get(LOGOUT_EVENT), dict):
        raise InvalidToken("not a logout event")
    if "nonce" in claims:
        raise InvalidToken("a logout token has no nonce")
    if not (claims.get("sid") or claims.get("sub")):
        raise InvalidToken("neither sid nor sub")
    return claims
