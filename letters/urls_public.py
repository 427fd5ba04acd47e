"""Pages reachable without an account: sign-on links and published letters."""

from django.urls import path

from letters.views import public, signing

app_name = "public"

urlpatterns = [
    path("sign/<str:token>/", signing.sign, name="sign"),
    path("published/", public.published_index, name="index"),
    path("published/feed/", public.published_feed, name="feed"),
    path("published/<str:reference>/", public.published_detail, name="detail"),
    path(
        "published/<str:reference>/logos/<int:organization_pk>/",
        public.published_logo,
        name="logo",
    ),
    path(
        "published/<str:reference>/copies/<int:copy_pk>.pdf",
        public.published_copy,
        name="copy",
    ),
]
