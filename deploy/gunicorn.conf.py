"""Gunicorn for Argmap on a small machine (2 cores): `gunicorn -c deploy/gunicorn.conf.py argmap.wsgi`.

Run it with the production settings in the environment (ARGMAP_PRODUCTION=1 and what it requires,
see argmap/settings.py). Each value can be overridden on the command line or in GUNICORN_CMD_ARGS.
"""

import os

bind = os.environ.get("ARGMAP_BIND", "127.0.0.1:8000")

# Threads, not more processes: a request mostly waits on the database or renders templates, and
# threads share the per-process graph cache (argmap/browsing.py). Three processes use both cores
# while one is held by a slow request; twelve threads in all.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = 4

# Students think 3–8 s between clicks and their pages poll every 2 s. Gunicorn's default closes an
# idle connection after 2 s, and a request sent on it just then fails with a connection reset:
# keep idle connections longer than any pause in a lesson. An idle connection costs a socket, not
# a thread (gthread waits on it in the event loop).
keepalive = 75
worker_connections = 1000  # open connections per process, idle ones included

timeout = 30  # a worker silent this long is restarted
graceful_timeout = 30

accesslog = None  # one line per request is most of the logging cost under load; errors still go to stderr
errorlog = "-"
