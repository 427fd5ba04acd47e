from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from letters.views import letters as letter_views

# No route serves MEDIA_ROOT, in development or production: every uploaded file
# (evidence, sent copies, print batches, logos, signatures) is streamed by a view
# that fetches its object through letters.permissions and reads it through the
# storage API.
urlpatterns = [
    path("", letter_views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("letters/", include("letters.urls")),
    path("directory/", include("recipients.urls")),
    path("", include("letters.urls_public")),
    path("admin/", admin.site.urls),
]
