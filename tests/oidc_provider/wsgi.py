import os

from django.core.wsgi import get_wsgi_application

# Set, not defaulted: the fixture's environment comes from a pytest run, whose DJANGO_SETTINGS_MODULE is Alongside's.
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
application = get_wsgi_application()
