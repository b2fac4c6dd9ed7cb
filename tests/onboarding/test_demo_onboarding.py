"""The demo shows onboarding at work: a Vanguard offer shaped by two lessons, read by Wirral's lead, and invitation
links that a person trying the demo can open."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from engagements.models import Offer
from onboarding.models import Invitation
from sites.models import Site
from tests.helpers.people import client_for


def test_the_demo_vanguard_offer_cites_two_lessons_that_wirrals_lead_reads(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())
    offer = Offer.objects.get(programme__kind="vanguard")
    wirral = Site.objects.get(name="Wirral")

    page = client_for(User.objects.get(email="vanguard.lead@example.org")).get(
        reverse("engagements:request_create", args=[wirral.pk])
    )

    titles = list(offer.shaping_lessons.values_list("title", flat=True))
    assert len(titles) == 2
    for title in titles:
        assert title in page.content.decode()


def test_the_demo_prints_links_that_let_a_new_person_join(db: None) -> None:
    output = StringIO()
    call_command("seed_demo", stdout=output)
    printed = re.findall(r"(\S+@example\.org)\s+http://[^/]+(/onboarding/join/\S+/)", output.getvalue())

    response = Client().post(
        printed[0][1], {"new_password1": "moss lantern quietly ferry", "new_password2": "moss lantern quietly ferry"}
    )

    assert len(printed) == Invitation.objects.pending().count() + 1 == 3
    assert response.status_code == 302
    assert User.objects.filter(email=printed[0][0]).exists()
