"""Celery for Alongside. Without REDIS_URL, tasks run inline (see settings)."""

import logging
import os

from celery import Celery, bootsteps, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("alongside")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logger = logging.getLogger(__name__)


class SweepOutboxOnConnect(bootsteps.StartStopStep):
    """Each time a worker's consumer connects to the broker (when it starts, and again after Redis was away), it
    asks for one outbox sweep at once: notifications written while the broker was down go out within seconds of
    its return, not at beat's next turn. A sweep is safe to run twice (it claims rows under a lock)."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, parent: object) -> None:
        try:
            app.send_task("accounts.tasks.sweep_outbox")
        except Exception:  # the broker's own errors vary by transport; beat's sweep comes anyway
            logger.warning("The outbox sweep on connecting could not be queued", exc_info=True)


app.steps["consumer"].add(SweepOutboxOnConnect)


@signals.worker_init.connect
def refuse_to_start_if_misconfigured(**kwargs: object) -> None:
    """A worker sends the e-mail: it stops at start, as the web does (config/startup.py), with one line. SystemExit,
    not an exception, since Celery logs a signal handler's exceptions and carries on."""
    from config.startup import console_email_problem

    problem = console_email_problem()
    if problem:
        raise SystemExit(problem)
