"""Pages reachable without an account: sign-on links and published letters."""

from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns = []
