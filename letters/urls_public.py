"""Pages reachable without an account: sign-on links and published letters."""

from django.urls import path

from letters.views import public, signing

app_name = "public"

urlpatterns = [
    # The private link only sets the session and redirects to the page, whose
    # address carries no secret (see letters/views/signing.py).
    path("sign/<str:token>/", signing.sign, name="sign"),
    path("sign/page/<int:signatory_pk>/", signing.sign_page, name="sign_page"),
    # An open call for signatures; its confirmation link works as /sign/ does.
    path("call/<int:call_pk>/", signing.call_page, name="signing_call"),
    path("call/<int:call_pk>/count/", signing.call_count, name="signing_call_count"),
    path("call/confirm/<str:token>/", signing.call_confirm, name="signing_call_confirm"),
    path(
        "call/confirmation/<int:signature_pk>/",
        signing.call_confirmation,
        name="signing_call_confirmation",
    ),
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
