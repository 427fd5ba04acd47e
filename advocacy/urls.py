from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.functional import lazy

from advocacy import accounts, health
from letters.views import letters as letter_views

# No route serves MEDIA_ROOT, in development or production: every uploaded file
# (evidence, sent copies, print batches, logos, signatures) is streamed by a view
# that fetches its object through letters.permissions and reads it through the
# storage API.

# Read when a page is drawn, so a changed setting shows.
_site_name = lazy(lambda: settings.SITE_NAME, str)

urlpatterns = [
    path("", letter_views.dashboard, name="dashboard"),
    path("health/", health.health, name="health"),
    path(
        "login/",
        # LoginView names the site after the request's host unless told otherwise.
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, extra_context={"site_name": _site_name()}
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", accounts.password_reset, name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    # The token in this address is traded for the session at once (and
    # redacted from logs, see advocacy/logs.py).
    path(
        "reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("letters/", include("letters.urls")),
    path("directory/", include("recipients.urls")),
    path("", include("letters.urls_public")),
    path("admin/", admin.site.urls),
]
