"""Makes the provider's database: its tables, the test people (settings.PEOPLE) and Alongside's registration.
Prints the subject each person has here (their `sub` claim) as JSON, for the fixture."""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application


class Command(BaseCommand):
    help = "Create the test provider's tables, people and the Alongside application."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        subjects = {}
        for person in settings.PEOPLE.values():
            user = User.objects.create_user(person["username"], person["email"], person["password"])
            subjects[person["username"]] = str(user.pk)
        application = Application(
            name="Alongside",
            client_id=os.environ["TEST_IDP_CLIENT_ID"],
            client_secret=os.environ["TEST_IDP_CLIENT_SECRET"],  # hashed on save; the fixture keeps the plain one
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=os.environ["TEST_IDP_REDIRECT_URIS"],
            post_logout_redirect_uris=os.environ["TEST_IDP_POST_LOGOUT_REDIRECT_URIS"],
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
        application.full_clean()
        application.save()
        self.stdout.write(json.dumps({"subjects": subjects}))
