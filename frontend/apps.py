from django.apps import AppConfig


class FrontendConfig(AppConfig):
    """The NHS.UK look shared by every app: the crispy-forms template pack, the date input, navigation.

    It is an app of its own because template tags must live in one, and none of the domain apps owns the
    presentation that all of them use.
    """

    name = "frontend"
