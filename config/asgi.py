import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from config.startup import refuse_to_start_if_misconfigured  # noqa: E402 (after Django is set up)

refuse_to_start_if_misconfigured()
