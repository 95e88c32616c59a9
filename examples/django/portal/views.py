"""The app's pages: `/`, its own protected API `/api/me`, and the back-channel logout
receiver the hub posts logout tokens to."""
import logging
from importlib import import_module

import requests
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .models import HubSession
from .tokens import InvalidToken, verify_access_token, verify_logout_token

log = logging.getLogger(__name__)
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


@never_cache
def home(request):
    """Signed out: "Log in". Signed in: who, and what the app's API says about the
    user's access token, which it calls as any other client of the API would."""
    api = None
    if request.user.is_authenticated:
        answer = requests.get(
            request.build_absolute_uri("/api/me"),
            headers={"Authorization": f"Bearer {request.session.get('oidc_access_token', '')}"},
            timeout=10,
        )
        api = answer.json().get("sub") if answer.ok else f"refused ({answer.status_code})"
    return render(request, "portal/home.html", {"api": api})


@require_GET
def api_me(request):
    """A resource server: answers only with a valid access token from the hub (RFC 6750
    bearer), validated locally against the hub's JWKS."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return _unauthorized('Bearer realm="api"')
    try:
        claims = verify_access_token(token)
    except InvalidToken as error:
        log.info("access token refused: %s", error)
        return _unauthorized('Bearer realm="api", error="invalid_token"')
    return JsonResponse({"sub": claims["sub"], "client_id": claims["client_id"], "scope": claims.get("scope", "")})


def _unauthorized(challenge):
    response = JsonResponse({"error": "invalid_token"}, status=401)
    response["WWW-Authenticate"] = challenge
    return response


@csrf_exempt  # the hub posts here server to server; the signed token is the proof
@require_POST
@never_cache
def backchannel_logout(request):
    """Back-Channel Logout 1.0 §2.5: ends every Django session signed in through the
    hub session the logout token names (by `sid`, else all of the user's by `sub`)."""
    try:
        claims = verify_logout_token(request.POST.get("logout_token", ""))
    except InvalidToken as error:
        log.warning("logout token refused: %s", error)
        # §2.8: 400 for a token the app does not accept.
        return JsonResponse({"error": "invalid_request", "error_description": str(error)}, status=400)
    sessions = HubSession.objects.filter(sid=claims["sid"]) if claims.get("sid") else HubSession.objects.all()
    if claims.get("sub"):
        sessions = sessions.filter(sub=claims["sub"])
    keys = list(sessions.values_list("session_key", flat=True))
    for key in keys:
        SessionStore(session_key=key).delete()
    sessions.delete()
    log.info("back-channel logout: ended %d session(s) of hub session %s", len(keys), claims.get("sid"))
    return HttpResponse()  # §2.8: 200 once the sessions are gone
