from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """Anonymised lessons and the library (built in a later issue)."""

    name = "lessons"
