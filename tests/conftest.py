"""Test-only settings and fixtures. Factories live in tests/factories.py."""

from __future__ import annotations

import io
import os
import shutil
import uuid

import pytest
from django.core.cache import cache

from tests import factories

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made by browser tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def s3_bucket():
    """
    With STORAGE_BACKEND=s3 (`.ci/run` starts a local S3 server): one fresh
    bucket for the session, each test under its own prefix.
    """
    if os.environ.get("STORAGE_BACKEND") != "s3":
        return None
    import boto3

    name = f"{os.environ['AWS_STORAGE_BUCKET_NAME']}-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("AWS_S3_REGION_NAME") or "us-east-1",
    ).create_bucket(Bucket=name)
    return name


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, s3_bucket):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    media = settings.STORAGES["default"]
    if s3_bucket:
        options = {**media["OPTIONS"], "bucket_name": s3_bucket, "location": tmp_path.name}
        media = {**media, "OPTIONS": options}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Cached tracking figures (letters.tracking_cache) are per process: none from another test.
    cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # A missing browser must fail the run, never skip it.
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs it")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def database_cache(settings):
    """The database cache production uses, in its own table: its queries can be counted."""
    from django.core.cache import caches
    from django.core.management import call_command

    table = "test_database_cache"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table}
    }
    call_command("createcachetable", verbosity=0)
    yield table
    caches["default"].clear()


@pytest.fixture
def drafter(db):
    return factories.make_user("dana", role="Drafter")


@pytest.fixture
def coordinator(db):
    return factories.make_user("chris", role="Coordinator")


@pytest.fixture
def admin_user(db):
    return factories.make_user("alex", role="Admin", is_staff=True)


@pytest.fixture
def outsider(db):
    return factories.make_user("olly")


@pytest.fixture
def letter(db):
    return factories.make_letter()


# The demo's archived copies, rendered once per run (see `demo`).
_DEMO_COPIES: dict = {}


@pytest.fixture
def demo(db):
    """
    The full demo data set, as `manage.py load_demo` creates it. Sending the demo
    letter archives four PDFs; rendering is pure (the same text for the same
    recipient gives the same bytes), so they are rendered once per run rather than
    once per test. A letter whose text or recipients differ is rendered afresh.
    """
    from unittest import mock

    from django.core.management import call_command

    from letters import printing

    render = printing.render_letter_pdf

    def render_once(letter, *, copy_for=None, archival=None):
        key = (letter.content_hash, getattr(copy_for, "pk", None), archival)
        if key not in _DEMO_COPIES:
            _DEMO_COPIES[key] = render(letter, copy_for=copy_for, archival=archival)
        return _DEMO_COPIES[key]

    with mock.patch.object(printing, "render_letter_pdf", render_once):
        call_command("load_demo", allow_production=True, stdout=io.StringIO())
    from letters.models import Letter

    return Letter.objects.get(reference="JP-2009-12")
