from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """The programme overview and the subject-access export, above the apps they read."""

    name = "reporting"
