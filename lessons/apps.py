from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """Anonymised lessons, two-party consent, and the library."""

    name = "lessons"
