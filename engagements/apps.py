from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    """Offers, enablers, support requests, engagements and sessions (built in later issues)."""

    name = "engagements"
