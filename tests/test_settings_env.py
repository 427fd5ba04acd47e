"""Settings for several machines, read from the environment (a fresh process each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOW = (
    "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'advocacy.settings'; "
    "from django.conf import settings as s; "
    "db = s.DATABASES['default']; "
    "print(json.dumps([s.STORAGES['default'], db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS']]))"
)


def settings_with(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_"))}
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_media_stay_on_disk_by_default():
    out = settings_with()
    storage, max_age, health_checks = json.loads(out.stdout)
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert (max_age, health_checks) == (0, True)


def test_s3_takes_a_private_bucket_that_never_overwrites():
    out = settings_with(
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="letters-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    storage = json.loads(out.stdout)[0]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "letters-media"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["file_overwrite"] is False
    assert options["querystring_auth"] is True
    assert "secret" not in json.dumps(options).lower()  # boto3 reads credentials itself


def test_s3_without_a_bucket_or_an_unknown_backend_is_refused():
    assert "needs AWS_STORAGE_BUCKET_NAME" in settings_with(STORAGE_BACKEND="s3").stderr
    assert "must be disk or s3" in settings_with(STORAGE_BACKEND="ftp").stderr


def test_persistent_connections_come_from_the_environment():
    out = settings_with(CONN_MAX_AGE="60", CONN_HEALTH_CHECKS="false")
    assert json.loads(out.stdout)[1:] == [60, False]
    assert "must be a whole number" in settings_with(CONN_MAX_AGE="forever").stderr
