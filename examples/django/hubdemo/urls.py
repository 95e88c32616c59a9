from django.urls import include, path

from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("api/me", views.api_me, name="api_me"),
    path("backchannel-logout", views.backchannel_logout, name="backchannel_logout"),
    # mozilla-django-oidc: /oidc/authenticate/ (log in), /oidc/callback/ (the redirect
    # URI registered at the hub) and /oidc/logout/ (POST).
    path("oidc/", include("mozilla_django_oidc.urls")),
]
