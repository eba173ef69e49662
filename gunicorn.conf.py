"""gunicorn's settings for the archive: `gunicorn -c gunicorn.conf.py cablearchive.wsgi`.

- Threaded workers (gthread): a worker's main loop tells the master it is alive every second
  whatever its requests do, so a long export is never killed by the worker timeout (with the
  default sync worker, a request past `timeout`, 30 s, was killed and its download cut short);
  `timeout` only restarts a worker that is truly stuck.
- Each worker serves GUNICORN_THREADS requests at once; an export streaming from the database
  holds one of EXPORT_STREAMS slots of its process (settings), so the other threads keep
  answering the reading room.
- Before a worker accepts a connection it warms up (`cables/health.py`: the database, the rank
  index, the first pages), so no reader meets a cold worker and `/readyz` means what it says.

Command-line options override these (e.g. `--bind`, `--workers`).
"""

import os

wsgi_app = "cablearchive.wsgi"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# A restart lets running downloads finish for this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "120"))
keepalive = 5
# No control socket: nothing here uses it, and two servers on one machine would share its path.
control_socket_disable = True


def post_worker_init(worker):
    # Django is set up only once the worker has loaded the application: import here.
    from django.db import connections  # noqa: PLC0415

    from cables.health import warm_up  # noqa: PLC0415

    try:
        seconds = warm_up(worker.wsgi)
        worker.log.info("warmed up in %.2f s: ready", seconds)
    except Exception as error:  # noqa: BLE001 - serve anyway; /readyz says not ready
        worker.log.error("warm-up failed, /readyz answers 503: %s", error)
    finally:
        connections.close_all()
