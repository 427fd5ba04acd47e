"""
Password reset by e-mail: Django's own views, with requests throttled, links
built from SITE_ROOT (never from the request's Host header), and a finished
reset lifting the login pause on that account.
"""

from __future__ import annotations

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit


def _email_key(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()[:254]


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(
    key="ip",
    rate=settings.PASSWORD_RESET_RATE_PER_ADDRESS,
    method="POST",
    block=False,
    group="password-reset-ip",
)
@ratelimit(
    key=_email_key,
    rate=settings.PASSWORD_RESET_RATE_PER_EMAIL,
    method="POST",
    block=False,
    group="password-reset-email",
)
def password_reset(request: HttpRequest) -> HttpResponseBase:
    if getattr(request, "limited", False):
        form = PasswordResetForm(request.POST)
        form.is_valid()
        form.add_error(
            None,
            "Too many password-reset requests. Check your inbox (and spam folder) for the "
            "e-mails already sent, or try again in an hour.",
        )
        return render(request, "registration/password_reset_form.html", {"form": form}, status=429)
    view = auth_views.PasswordResetView.as_view(
        extra_email_context={
            "site_root": settings.SITE_ROOT.rstrip("/"),
            "site_name": settings.SITE_NAME,
        },
    )
    return view(request)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # The owner proved they read the account's mail: the failures on this
        # username are forgotten, so the account's pause is lifted, and the
        # owner's own failures stop counting against their address (other
        # usernames' failures from it still count).
        reset_login_failures(username=form.user.get_username())
        return response
