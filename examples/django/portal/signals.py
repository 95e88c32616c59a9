"""Keeps the sid → Django session mapping (HubSession) in step with Django's logins.

`auth.login` gives the session a new key before it sends `user_logged_in`, so this is
the first moment the final key is known; HubBackend left the hub's `sid` and `sub` in
the session for it.
"""
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .models import HubSession


@receiver(user_logged_in)
def remember_hub_session(sender, request, user, **kwargs):
    sid = request.session.get("hub_sid")
    if sid:
        HubSession.objects.update_or_create(
            session_key=request.session.session_key,
            defaults={"sid": sid, "sub": request.session["hub_sub"]},
        )


@receiver(user_logged_out)
def forget_hub_session(sender, request, user, **kwargs):
    if request is not None and request.session.session_key:
        HubSession.objects.filter(session_key=request.session.session_key).delete()
