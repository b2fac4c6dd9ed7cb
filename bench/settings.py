"""Production settings plus what only the benchmark needs: a baseline page behind log-in (bench/urls.py) and a
count of database queries on every answer (X-Queries). Used by `make bench` (bench/run.py) and nothing else."""

from config.settings import *  # noqa: F403 - the production settings, unchanged but for the two lines below

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
