"""gunicorn reads this file from the working directory by default."""

from __future__ import annotations

from gunicorn.glogging import Logger

from advocacy.logs import redact


def post_worker_init(worker) -> None:
    # Load fonts and compile the print stylesheet before the first request, so
    # nobody's first PDF pays the ~0.5-0.75 s start-up of WeasyPrint.
    from letters.printing.engine import warm_up

    warm_up()


class RedactingLogger(Logger):
    """The access log without sign-on or password-reset tokens (see advocacy/logs.py)."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(v) if isinstance(v, str) else v for key, v in atoms.items()}


logger_class = RedactingLogger

# gunicorn's default format plus the request id the app sent back (advocacy/logs.py), so an
# access line and the app's lines of one request share it.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" [%({x-request-id}o)s]'
)
