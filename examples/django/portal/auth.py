"""Sign-in and logout through the hub, as mozilla-django-oidc lets an app adapt them."""
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import HubAccount


class HubBackend(OIDCAuthenticationBackend):
    """The library's backend, keyed by the hub's `sub` instead of the e-mail address.

    The library finds users by e-mail, which is not a stable key: a user can change it,
    an address can pass to someone else, and not every hub user has one. The hub's
    `sub` never changes, so a HubAccount row ties it to the Django user; the Django
    username follows the hub's `preferred_username` (the hub's username), refreshed at
    every sign-in because an administrator can rename a user.
    """

    def verify_token(self, token, **kwargs):
        # The library checks the signature, `exp` and the nonce, not who issued the ID
        # token or for whom (OIDC Core §3.1.3.7, steps 2 to 4).
        claims = super().verify_token(token, **kwargs)
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience or []
        if claims.get("iss") != settings.HUB_ISSUER:
            raise SuspiciousOperation("ID token from another issuer")
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token for another authorized party")
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        # `payload` is the verified ID token. Its `sid` names the hub session, which a
        # back-channel logout ends; signals.remember_hub_session files it once the
        # session has its final key.
        self.request.session["hub_sid"] = payload.get("sid")
        self.request.session["hub_sub"] = payload["sub"]
        return super().get_or_create_user(access_token, id_token, payload)

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        # OIDC Core §5.3.2: the userinfo response must be about the ID token’s user.
        if claims.get("sub") != payload["sub"]:
            raise SuspiciousOperation("userinfo is about another user")
        return claims

    def verify_claims(self, claims):
        # The library wants an e-mail; the hub's users need only a username.
        return bool(claims.get("sub") and claims.get("preferred_username"))

    def filter_users_by_claims(self, claims):
        return get_user_model().objects.filter(hubaccount__sub=claims["sub"])

    @transaction.atomic
    def create_user(self, claims):
        user = get_user_model()(username=self._free_username(claims, None))
        self._copy_claims(user, claims)
        user.set_unusable_password()  # users sign in at the hub only
        user.save()
        HubAccount.objects.create(user=user, sub=claims["sub"])
        return user

    def update_user(self, user, claims):
        user.username = self._free_username(claims, user)
        self._copy_claims(user, claims)
        user.save()
        return user

    @staticmethod
    def _free_username(claims, user):
        """preferred_username, unless another Django user still has it (a hub user
        renamed since their last sign-in here): the library turns the
        SuspiciousOperation into a failed sign-in."""
        username = claims["preferred_username"]
        others = get_user_model().objects.filter(username=username)
        if user is not None:
            others = others.exclude(pk=user.pk)
        if others.exists():
            raise SuspiciousOperation("the username is taken by another user")
        return username

    @staticmethod
    def _copy_claims(user, claims):
        user.email = claims.get("email", "")
        user.first_name = claims.get("given_name", "")
        user.last_name = claims.get("family_name", "")


def hub_logout_url(request):
    """OIDC_OP_LOGOUT_URL_METHOD: where the library's logout view sends the browser
    once it has ended the Django session (RP-Initiated Logout 1.0 §2). The hub asks the
    user to confirm, ends its session and comes back to the app's `/`, which must be
    registered as a post-logout redirect URI."""
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri("/"),
    }
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{settings.HUB_END_SESSION_ENDPOINT}?{urlencode(params)}"
