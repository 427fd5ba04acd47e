"""gunicorn reads this file from the working directory by default."""

from __future__ import annotations


def post_worker_init(worker) -> None:
    # Load fonts and compile the print stylesheet before the first request, so
    # nobody's first PDF pays the ~0.5-0.75 s start-up of WeasyPrint.
    from letters.printing.engine import warm_up

    warm_up()
