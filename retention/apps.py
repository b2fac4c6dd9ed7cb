from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """The retention schedule: how long each kind of record is kept, the daily task that applies it, legal holds
    and the administrators' report. It reads and destroys the records of every app, so it sits above them all."""

    name = "retention"
