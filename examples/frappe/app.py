"""A Frappe app server's social login through the hub, reproduced outside Frappe.

A Frappe site signs its users in with a "Social Login Key" of provider "Frappe" whose Base
URL is another Frappe server; here that server is the hub. Frappe does it with `rauth`,
and so does this app, configured as Frappe's preset configures it:

- `/login` builds the authorize URL with the state Frappe sends: the base64 (standard
  alphabet, padded) of `json.dumps({"site", "token", "redirect_to"})`;
- the callback is Frappe's `/api/method/frappe.www.login.login_via_frappe`, which redeems
  the code with `client_id` and `client_secret` in the form body, then GETs
  `/api/method/frappe.integrations.oauth2.openid_profile` with the access token and
  signs the user in by e-mail;
- like a Frappe site it keeps its own server-side session (a `sid` cookie), and its
  "Log out" ends only that session before going on to the hub's sign-out page.

Its API route `/api/me` is a resource server: it validates the bearer token with the
hub's Frappe-shaped `introspect_token`.

Settings: HUB_ISSUER, APP_CLIENT_ID, APP_CLIENT_SECRET, APP_PORT, and FRAPPE_SERVER_URL
(the Social Login Key's Base URL; the issuer's origin unless set).
"""

import base64
import hmac
import json
import os
import secrets
import threading
import time
from urllib.parse import urlencode, urlsplit

import requests
from flask import Flask, abort, jsonify, make_response, redirect, render_template_string, request
from rauth import OAuth2Service

ISSUER = os.environ["HUB_ISSUER"].rstrip("/")
# The Social Login Key's Base URL: the hub's origin. Frappe appends its authorize and token
# paths to it, and the hub serves them at its host's root even when the issuer has a path.
_issuer = urlsplit(ISSUER)
SERVER_URL = (os.environ.get("FRAPPE_SERVER_URL") or f"{_issuer.scheme}://{_issuer.netloc}").rstrip("/")
CLIENT_ID = os.environ["APP_CLIENT_ID"]
CLIENT_SECRET = os.environ["APP_CLIENT_SECRET"]
PORT = int(os.environ.get("APP_PORT", "5000"))
SITE = f"http://127.0.0.1:{PORT}"

# The Frappe preset of a Social Login Key (social_login_key.py, providers["Frappe"]).
AUTHORIZE_PATH = "/api/method/frappe.integrations.oauth2.authorize"
TOKEN_PATH = "/api/method/frappe.integrations.oauth2.get_token"
PROFILE_PATH = "/api/method/frappe.integrations.oauth2.openid_profile"
INTROSPECT_PATH = "/api/method/frappe.integrations.oauth2.introspect_token"
CALLBACK_PATH = "/api/method/frappe.www.login.login_via_frappe"
REDIRECT_URI = SITE + CALLBACK_PATH
AUTH_URL_DATA = {"response_type": "code", "scope": "openid"}

# Where a sign-in lands. Its '~' and '?' (json.dumps keeps both) put '+' and '/' into the
# base64 state at any offset, so every sign-in checks that the hub returns the state byte
# for byte, as Frappe needs: it base64-decodes what comes back and finds its token in it.
LANDING = "/?welcome=~~~???"
# Frappe keeps the state's token in its cache for 120 seconds.
STATE_TTL_SECS = 120
# The browser that started a sign-in keeps its state's token in this cookie, so that the
# callback takes only a sign-in this browser started (login CSRF, RFC 6749 §10.12).
STATE_COOKIE = "frappe_login_state"

app = Flask(__name__)

# In memory, as this is an example: Frappe keeps both in its database and Redis cache.
sessions: dict[str, dict] = {}
pending_states: dict[str, tuple[str, float]] = {}
lock = threading.Lock()


def frappe_flow() -> OAuth2Service:
    """Frappe's get_oauth2_flow("frappe"): the authorize and token URLs are the Base URL
    with the preset's paths appended; the profile path is joined to it as a URL."""
    return OAuth2Service(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        name="frappe",
        authorize_url=SERVER_URL + AUTHORIZE_PATH,
        access_token_url=SERVER_URL + TOKEN_PATH,
        base_url=SERVER_URL,
    )


def frappe_state(redirect_to: str) -> tuple[str, str]:
    """The state Frappe's get_oauth2_authorize_url sends, and its token."""
    token = secrets.token_hex(28)  # frappe.generate_hash(): 56 hex digits
    state = {"site": SITE, "token": token, "redirect_to": redirect_to}
    if len(json.dumps(state)) % 3 == 0:
        # One digit less, so the base64 ends in '=' padding, which must come back too.
        state["token"] = token = token[:-1]
    return base64.b64encode(json.dumps(state).encode("utf-8")).decode("ascii"), token


def safe_redirect_to(value: str) -> str:
    r"""`value` if it is a path on this site, else the landing page (no open redirect).

    Browsers drop tabs and newlines from a URL and read "\" as "/", so "/%09/evil.example"
    and "/\evil.example" both reach them as "//evil.example", another site. Only a plain
    path passes: no scheme or host, one leading "/", no backslash, whitespace or control
    character.
    """
    parts = urlsplit(value)
    if (
        parts.scheme
        or parts.netloc
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(c.isspace() or not c.isprintable() for c in value)
    ):
        return LANDING
    return value


def decoder_compat(content: bytes) -> dict:
    """Frappe's decoder for rauth's token response (JSON, not rauth's default form)."""
    return json.loads(bytes(content).decode("utf-8"))


def current_session() -> dict | None:
    sid = request.cookies.get("sid")
    with lock:
        return sessions.get(sid) if sid else None


def end_session_endpoint() -> str:
    # Frappe has no RP-initiated logout; the hub's discovery names its sign-out page.
    discovery = requests.get(f"{ISSUER}/.well-known/openid-configuration", timeout=10)
    discovery.raise_for_status()
    return discovery.json()["end_session_endpoint"]


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Frappe site</title></head>
<body>
<h1>Frappe site</h1>
{% if user %}
  <p>Signed in as {{ user.email }}</p>
  <p>Name: {{ user.given_name }} {{ user.family_name }}</p>
  <p>E-mail: {{ user.email }}</p>
  <p>API: {{ api }}</p>
  <form method="post" action="/logout"><button type="submit">Log out</button></form>
{% else %}
  <p>Not signed in.</p>
  <p><a href="/login">Log in</a></p>
{% endif %}
</body></html>
"""


@app.get("/")
def index():
    user = current_session()
    api = None
    if user:
        # The app calls its own API with the user's access token, as a browser would.
        answer = requests.get(
            f"{SITE}/api/me", headers={"Authorization": f"Bearer {user['access_token']}"}, timeout=10
        )
        api = answer.json().get("sub") if answer.ok else f"refused ({answer.status_code})"
    return render_template_string(PAGE, user=user, api=api)


@app.get("/login")
def login():
    # Where to land after signing in: only a path on this site.
    redirect_to = safe_redirect_to(request.args.get("redirect-to", ""))
    state, token = frappe_state(redirect_to)
    with lock:
        pending_states[token] = (state, time.monotonic() + STATE_TTL_SECS)
    url = frappe_flow().get_authorize_url(redirect_uri=REDIRECT_URI, state=state, **AUTH_URL_DATA)
    response = make_response(redirect(url))
    # The pending state alone is good in any browser: an attacker could start a sign-in,
    # stop at the callback and send the victim there, signed in as the attacker.
    # Lax: the browser sends it on the hub's top-level redirect back to the callback.
    response.set_cookie(
        STATE_COOKIE,
        token,
        max_age=STATE_TTL_SECS,
        path=CALLBACK_PATH,
        secure=SITE.startswith("https:"),
        httponly=True,
        samesite="Lax",
    )
    return response


@app.get(CALLBACK_PATH)
def login_via_frappe():
    code, state = request.args.get("code"), request.args.get("state")
    if not code or not state:
        # Frappe answers a denied request ("?error=access_denied") with this same refusal.
        abort(417, "Missing parameters for login")
    # Frappe decodes the state and needs its token; this app also needs it whole.
    try:
        sent = json.loads(base64.b64decode(state, validate=True))
        token = sent["token"]
    except (ValueError, KeyError, TypeError):
        abort(417, "Token is missing")
    # Only the browser that started this sign-in may finish it.
    started = request.cookies.get(STATE_COOKIE, "")
    if not started or not hmac.compare_digest(started.encode(), str(token).encode()):
        abort(417, "Invalid Token")
    with lock:
        stored, expires = pending_states.pop(token, (None, 0.0))
    if stored != state or time.monotonic() > expires:
        abort(417, "Invalid Token")

    flow = frappe_flow()
    session = flow.get_auth_session(
        data={"code": code, "redirect_uri": REDIRECT_URI, "grant_type": "authorization_code"},
        decoder=decoder_compat,
    )
    # A path, so rauth joins it to the Base URL: the host's root, whatever the URL's path.
    profile = session.get(PROFILE_PATH).json()
    # Frappe's user is the e-mail (get_email); without one it cannot sign anybody in.
    if not profile.get("email"):
        abort(417, "Please ensure that your profile has an email address")

    sid = secrets.token_urlsafe(32)
    with lock:
        sessions[sid] = {
            "email": profile["email"],
            "given_name": profile.get("given_name") or profile.get("name") or "",
            "family_name": profile.get("family_name") or "",
            "access_token": session.access_token,
        }
    response = make_response(redirect(safe_redirect_to(sent.get("redirect_to") or "/")))
    response.set_cookie("sid", sid, httponly=True, samesite="Lax")
    response.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH)
    return response


@app.get("/api/me")
def api_me():
    """A resource server: the bearer token is good if the hub's introspection says so."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return jsonify(error="invalid_token"), 401
    answer = requests.post(
        SERVER_URL + INTROSPECT_PATH,
        data={
            "token": token,
            "token_type_hint": "access_token",
            # The hub authenticates introspection as it does the token endpoint.
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=10,
    )
    answer.raise_for_status()
    claims = answer.json()
    if not claims.get("active") or claims.get("client_id") != CLIENT_ID:
        return jsonify(error="invalid_token"), 401
    return jsonify(sub=claims["sub"], scope=claims.get("scope"))


@app.post("/logout")
def logout():
    sid = request.cookies.get("sid")
    with lock:
        sessions.pop(sid, None)
    # Frappe ends its own session only; the hub's session ends on its sign-out page.
    query = {"client_id": CLIENT_ID, "post_logout_redirect_uri": f"{SITE}/"}
    response = make_response(redirect(f"{end_session_endpoint()}?{urlencode(query)}"))
    response.delete_cookie("sid")
    return response


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=PORT)
