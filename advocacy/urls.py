from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.functional import lazy
from django.views.static import serve

from letters.views import letters as letter_views

# Read when a page is drawn, so a changed setting shows.
_site_name = lazy(lambda: settings.SITE_NAME, str)

urlpatterns = [
    path("", letter_views.dashboard, name="dashboard"),
    path(
        "login/",
        # LoginView names the site after the request's host unless told otherwise.
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, extra_context={"site_name": _site_name()}
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("letters/", include("letters.urls")),
    path("directory/", include("recipients.urls")),
    path("", include("letters.urls_public")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Media in development only, behind login; production serves MEDIA_ROOT from
    # the proxy or a storage.
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
