"""What the app remembers about the hub besides Django's own users and sessions."""
from django.conf import settings
from django.db import models


class HubAccount(models.Model):
    """Which hub user a Django user is: the hub's `sub`, the one stable key (OIDC Core
    §5.7). The username (preferred_username) and the e-mail can change at the hub."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    sub = models.CharField(max_length=255, unique=True)


class HubSession(models.Model):
    """Which hub session (`sid`) a Django session was signed in through, so a logout
    token from the hub (which names the `sid`, and the `sub`) can end it."""

    session_key = models.CharField(max_length=40, primary_key=True)
    sid = models.CharField(max_length=255, db_index=True)
    sub = models.CharField(max_length=255, db_index=True)
