from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo programme's seeding command (seed_demo): it drives every app, so it sits above them all."""

    name = "demo"
