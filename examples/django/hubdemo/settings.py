"""Settings of the example: a Django site that signs its users in through the hub with
mozilla-django-oidc.

Everything the app needs to know comes from the environment (see examples/README.md):
HUB_ISSUER, APP_CLIENT_ID and APP_CLIENT_SECRET here, APP_PORT in gunicorn.conf.py, and
optionally APP_DB, the SQLite file. mozilla-django-oidc does not read discovery, so the
hub's endpoints are read from its discovery document once, here, at start.
"""
import os
from pathlib import Path

import requests
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

HUB_ISSUER = os.environ["HUB_ISSUER"]  # exactly as the hub says it: tokens carry it

# --- Django -------------------------------------------------------------------------

# Sessions are signed with this key: set DJANGO_SECRET_KEY to keep them across restarts.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or get_random_secret_key()
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "mozilla_django_oidc",  # after django.contrib.auth
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signs the user in again silently (prompt=none) when the tokens are about to
    # expire: fresh tokens while the hub session lives, signed out once it has ended.
    "mozilla_django_oidc.middleware.SessionRefresh",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hubdemo.urls"
WSGI_APPLICATION = "hubdemo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]

# Django's own tables (users, sessions) and the app's two small ones. Sessions live in
# the database (the default engine) so that a back-channel logout can delete them.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("APP_DB") or BASE_DIR / "db.sqlite3",
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"  # Django sets the process TZ from it (its default is America/Chicago)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # With DEBUG off, Django sends a failing request's traceback only to mail_admins.
        "django.request": {"handlers": ["console"], "level": "ERROR"},
        "mozilla_django_oidc": {"handlers": ["console"], "level": "INFO"},
        "portal": {"handlers": ["console"], "level": "INFO"},
    },
}

# --- Sign-in through the hub (mozilla-django-oidc) ----------------------------------


def _discover(issuer):
    """The hub's discovery document (OIDC Discovery 1.0 §4), whose issuer must be ours."""
    response = requests.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=10)
    response.raise_for_status()
    metadata = response.json()
    if metadata.get("issuer") != issuer:
        raise RuntimeError(f"the hub at {issuer} says its issuer is {metadata.get('issuer')!r}")
    return metadata


_HUB = _discover(HUB_ISSUER)

AUTHENTICATION_BACKENDS = ["portal.auth.HubBackend"]

OIDC_RP_CLIENT_ID = os.environ["APP_CLIENT_ID"]
OIDC_RP_CLIENT_SECRET = os.environ["APP_CLIENT_SECRET"]
OIDC_OP_AUTHORIZATION_ENDPOINT = _HUB["authorization_endpoint"]  # {issuer}/authorize
OIDC_OP_TOKEN_ENDPOINT = _HUB["token_endpoint"]  # {issuer}/token
OIDC_OP_USER_ENDPOINT = _HUB["userinfo_endpoint"]  # {issuer}/userinfo
OIDC_OP_JWKS_ENDPOINT = _HUB["jwks_uri"]  # {issuer}/jwks.json
# The hub signs ID tokens with RS256 unless the client is registered otherwise.
OIDC_RP_SIGN_ALGO = "RS256"
# `profile` brings preferred_username, the Django username.
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
# The hub takes one client authentication method per client, the registered one:
# client_secret_basic by default (the library would otherwise post the secret).
OIDC_TOKEN_USE_BASIC_AUTH = True
OIDC_TIMEOUT = 10
# The access token calls `/api/me`; the ID token is the id_token_hint at logout.
OIDC_STORE_ACCESS_TOKEN = True
OIDC_STORE_ID_TOKEN = True
OIDC_OP_LOGOUT_URL_METHOD = "portal.auth.hub_logout_url"
# When SessionRefresh renews them: before the access token expires (the hub's
# HUB_ACCESS_TOKEN_TTL_SECS, 600 by default), so `/api/me` keeps accepting it.
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = 540

# Not library settings: what the app's own code (portal/) reads from the hub.
HUB_END_SESSION_ENDPOINT = _HUB["end_session_endpoint"]  # {issuer}/logout

LOGIN_REDIRECT_URL = "/"
LOGIN_REDIRECT_URL_FAILURE = "/"
LOGOUT_REDIRECT_URL = "/"
