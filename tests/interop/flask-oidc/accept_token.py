"""A Flask API protected by Flask-OIDC's `accept_token`, as a resource server of the hub.

Flask-OIDC 2.x validates each bearer token by introspection (RFC 7662, through authlib),
authenticating as its own client with OIDC_INTROSPECTION_AUTH_METHOD: client_secret_post
(its default) or client_secret_basic, which must be the method the client is registered
with at the hub. This script builds the app, calls its protected route with each token
given (Flask's test client, no network but the introspection calls to the hub) and prints
the statuses as JSON.

Usage: python accept_token.py [--auth-method METHOD] ISSUER CLIENT_ID CLIENT_SECRET TOKEN [TOKEN ...]
"""

import argparse
import json

from flask import Flask, g
from flask_oidc import OpenIDConnect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--auth-method", default="client_secret_post", help="OIDC_INTROSPECTION_AUTH_METHOD")
    parser.add_argument("issuer")
    parser.add_argument("client_id")
    parser.add_argument("client_secret")
    parser.add_argument("tokens", nargs="+")
    args = parser.parse_args()
    issuer = args.issuer
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="accept-token-test",
        OIDC_RESOURCE_SERVER_ONLY=True,
        OIDC_INTROSPECTION_AUTH_METHOD=args.auth_method,
        OIDC_CLIENT_SECRETS={
            "web": {
                "client_id": args.client_id,
                "client_secret": args.client_secret,
                "issuer": issuer,
                "auth_uri": f"{issuer}/authorize",
                "token_uri": f"{issuer}/token",
                "redirect_uris": ["https://api.example/unused"],
            }
        },
        OIDC_SERVER_METADATA_URL=f"{issuer}/.well-known/openid-configuration",
    )
    oidc = OpenIDConnect(app)

    @app.route("/api")
    @oidc.accept_token(scopes=["openid"])
    def api():
        return {"sub": g.authlib_server_oauth2_token["sub"]}

    client = app.test_client()
    answers = []
    for token in args.tokens:
        response = client.get("/api", headers={"Authorization": f"Bearer {token}"})
        answers.append({"status": response.status_code, "body": response.get_json(silent=True)})
    print(json.dumps(answers))


if __name__ == "__main__":
    main()
