"""A small Flask app that signs its users in through the hub with Flask-OIDC 2.x.

- Flask-OIDC's own routes, under /oidc: /oidc/login starts the code flow, /oidc/authorize
  is the redirect URI (it exchanges the code, checks the ID token and reads /userinfo).
- `/` shows the user's claims and calls the app's own API, `/api/me`, with the user's
  access token; `/api/me` is an `accept_token` resource, which asks the hub's
  introspection endpoint whether the token is live, and takes only this app's tokens.
- `POST /logout` ends the app's session and then the hub's (RP-Initiated Logout 1.0):
  Flask-OIDC's own /oidc/logout only forgets the tokens locally.
- `/backchannel-logout` receives the hub's logout tokens (Back-Channel Logout 1.0).

Settings from the environment: HUB_ISSUER, APP_CLIENT_ID, APP_CLIENT_SECRET, APP_PORT.
"""

import functools
import hmac
import os
import secrets

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_oauth2 import current_token
from flask import Flask, abort, g, render_template, request, session, url_for
from flask_oidc import OpenIDConnect
from flask_oidc.signals import after_authorize

import logout_token

ISSUER = os.environ["HUB_ISSUER"].rstrip("/")
CLIENT_ID = os.environ["APP_CLIENT_ID"]
PORT = int(os.environ["APP_PORT"])

app = Flask(__name__)
app.config.update(
    # Flask keeps the session (with the user's tokens) in a signed cookie.
    SECRET_KEY=os.environ.get("APP_SECRET_KEY") or secrets.token_hex(32),
    OIDC_CLIENT_SECRETS={
        "web": {
            "issuer": ISSUER,
            "client_id": CLIENT_ID,
            "client_secret": os.environ["APP_CLIENT_SECRET"],
        }
    },
    # `profile` releases preferred_username, `email` the address.
    OIDC_SCOPES="openid profile email",
    # How the app authenticates at the hub's token AND introspection endpoints: it must be
    # the method the client was registered with (`hub client add --auth-method ...`).
    OIDC_INTROSPECTION_AUTH_METHOD="client_secret_post",
    # Flask sets no SameSite on its cookie unless told: Lax keeps it off other sites'
    # cross-site POSTs and subrequests, and still sends it on the hub's redirect back.
    SESSION_COOKIE_SAMESITE="Lax",
)

# The hub sessions (their `sid`) that a logout token ended. In memory, for one process:
# an app with several workers keeps them where all workers see them (a database, redis).
ended_sessions: set[str] = set()


@app.before_request
def forget_ended_session():
    """Signs the browser out of the app when the hub said its session ended."""
    if session.get("hub_sid") in ended_sessions:
        session.clear()


# Registered after the hook above, so that Flask-OIDC's own hook (which refreshes an
# expired access token) never runs for a session the hub has ended.
oidc = OpenIDConnect(app, prefix="/oidc")


@after_authorize.connect
def remember_hub_session(_sender, token, **_extra):
    # Authlib checked the ID token and put its claims under "userinfo"; keep the hub's
    # session id, which a logout token names (the token itself is replaced on refresh).
    session["hub_sid"] = (token.get("userinfo") or {}).get("sid")


@app.route("/")
def index():
    if request.args.get("state"):
        # Back from the hub's logout: drop the state Authlib kept for it.
        try:
            g._oidc_auth.validate_logout_response()
        except OAuthError:
            pass  # a stale or foreign state: nothing to drop
    if not g.oidc_user.logged_in:
        return render_template("index.html", user=None)
    # The app's own API, called as any other client of it would: with the access token.
    answer = requests.get(
        url_for("api_me", _external=True),
        headers={"Authorization": f"Bearer {g.oidc_user.access_token}"},
        timeout=10,
    )
    api = answer.json()["sub"] if answer.ok else f"refused ({answer.status_code})"
    # The claims of /userinfo, which Flask-OIDC read at sign-in (OIDC_USER_INFO_ENABLED).
    return render_template("index.html", user=g.oidc_user.profile, api=api)


@app.route("/claims")
@oidc.require_login
def claims():
    """The user's claims from /userinfo; a visitor signs in first (require_login)."""
    return g.oidc_user.profile


def own_tokens_only(view):
    """Refuses a live token the hub issued to another client.

    The hub tells a client that an administrator registered about any access token it
    issued, so `accept_token` alone takes every app's tokens: the introspection answer's
    `client_id` says which app the token was issued to. Put it under `accept_token`.
    """

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if current_token.get("client_id") != CLIENT_ID:
            return (
                {"error": "invalid_token", "error_description": "the token was issued to another client"},
                401,
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return view(*args, **kwargs)

    return checked


@app.route("/api/me")
@oidc.accept_token(scopes=["openid"])
@own_tokens_only
def api_me():
    # Flask-OIDC asked the hub's introspection endpoint; `current_token` is its answer.
    return {"sub": current_token["sub"]}


def csrf_token() -> str:
    """The session's CSRF token, for the forms that change its state (the logout form)."""
    if "csrf_token" not in session:
        session["csrf_token"] = secrets.token_urlsafe(32)
    return session["csrf_token"]


app.jinja_env.globals["csrf_token"] = csrf_token


# A POST with the session's CSRF token, so another site cannot sign the user out. The
# token is the defence: SameSite=Lax alone lets through a POST from a site that shares
# this one's registrable domain (another port of 127.0.0.1, a sibling subdomain).
@app.post("/logout")
def logout():
    sent, expected = request.form.get("csrf_token", ""), session.get("csrf_token", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400)
    id_token = (session.get("oidc_auth_token") or {}).get("id_token")
    session.pop("oidc_auth_token", None)
    session.pop("oidc_auth_profile", None)
    session.pop("hub_sid", None)
    # Authlib builds the end_session_endpoint URL (with a `state` it keeps in the session).
    return g._oidc_auth.logout_redirect(
        post_logout_redirect_uri=url_for("index", _external=True),
        id_token_hint=id_token,
    )


@app.route("/backchannel-logout", methods=["POST"])
def backchannel_logout():
    try:
        sid = logout_token.session_id(request.form.get("logout_token", ""), g._oidc_auth, CLIENT_ID)
    except logout_token.InvalidLogoutToken as error:
        app.logger.info("logout token refused: %s", error)
        abort(400)
    ended_sessions.add(sid)
    return "", 200, {"Cache-Control": "no-store"}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=PORT)
