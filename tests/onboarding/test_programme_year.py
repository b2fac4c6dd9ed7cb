"""A new programme year and its offers, shaped by the published lessons of earlier programmes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, User
from core.errors import NotAllowed
from engagements.actions.requests import submit_request
from engagements.models import Engagement, Offer
from lessons.models import Lesson
from onboarding.forms import OfferForm
from sites.models import Programme, Region, Site, SiteMembership
from tests.helpers.people import client_for


def _vanguard_offer(client: object, lessons: list[Lesson]) -> Offer:
    client.post(reverse("onboarding:programme_create"), {"kind": "vanguard", "year": "2015"})
    vanguard = Programme.objects.get(kind="vanguard", year=2015)
    client.post(
        reverse("onboarding:offer_create", args=[vanguard.pk]),
        {
            "name": "Vanguard enabler support",
            "description": "An enabler alongside the site's leaders through its first year as a new care model.",
            "provider": "The central team",
            "cadence": "weekly",
            "day_allowance": "12",
            "starts_with_diagnostic": "on",
            "lessons": [lesson.pk for lesson in lessons],
        },
    )
    return Offer.objects.get(programme=vanguard)


def test_a_new_programme_year_with_an_offer_citing_two_lessons_is_seen_by_a_site_on_its_request_page(
    objects: dict, programme_lead: User
) -> None:
    cited = [objects["published_a"], objects["published_b"]]
    offer = _vanguard_offer(client_for(programme_lead), cited)
    site = Site.objects.create(name="Harbourside", programme=offer.programme, region=Region.SOUTH_WEST)
    person = User.objects.create_user("v.lead@example.test", "x", full_name="Vale Lead")
    SiteMembership.objects.create(user=person, site=site, role=SiteMembership.role_for(lead=True))

    page = client_for(person).get(reverse("engagements:request_create", args=[site.pk])).content.decode()

    assert offer.starts_with_diagnostic and offer.day_allowance == 12
    assert set(offer.shaping_lessons.all()) == set(cited)
    assert "An enabler alongside the site&#x27;s leaders through its first year" in page
    assert page.count(reverse("lessons:lesson_detail", args=[cited[0].pk])) == 1
    assert page.count(reverse("lessons:lesson_detail", args=[cited[1].pk])) == 1
    verbs = set(AuditEvent.objects.filter(actor=programme_lead).values_list("verb", flat=True))
    assert {AuditEvent.Verb.CREATED_A_PROGRAMME_YEAR, AuditEvent.Verb.CREATED_AN_OFFER} <= verbs


def test_the_same_programme_year_twice_is_refused_with_a_message(programme: Programme, programme_lead: User) -> None:
    response = client_for(programme_lead).post(
        reverse("onboarding:programme_create"), {"kind": programme.kind, "year": programme.year}
    )

    assert response.status_code == 200
    assert "exists already" in response.content.decode()
    assert Programme.objects.count() == 1


def test_a_draft_lesson_cannot_be_cited(objects: dict, programme_lead: User) -> None:
    offer = _vanguard_offer(client_for(programme_lead), [])

    response = client_for(programme_lead).post(
        reverse("onboarding:offer_edit", args=[offer.pk]),
        {
            "name": offer.name,
            "description": "x",
            "provider": "p",
            "cadence": "weekly",
            "lessons": [objects["lesson_a"].pk],
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not offer.shaping_lessons.exists()


def test_editing_an_offer_changes_its_lessons_and_is_audited(objects: dict, programme_lead: User) -> None:
    offer = _vanguard_offer(client_for(programme_lead), [objects["published_a"]])

    client_for(programme_lead).post(
        reverse("onboarding:offer_edit", args=[offer.pk]),
        {
            "name": offer.name,
            "description": offer.description,
            "provider": offer.provider,
            "cadence": offer.cadence,
            "day_allowance": "12",
            "starts_with_diagnostic": "on",
            "lessons": [objects["published_b"].pk],
        },
    )

    assert list(offer.shaping_lessons.all()) == [objects["published_b"]]
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.EDITED_AN_OFFER)
    assert event.detail == {"fields": ["lessons"]}


def test_retiring_an_offer_stops_new_requests_and_leaves_open_engagements_alone(
    engagement_a: Engagement, offer: Offer, site_b: Site, other_site_lead: User, programme_lead: User
) -> None:
    response = client_for(programme_lead).post(reverse("onboarding:offer_retire", args=[offer.pk]))

    page = client_for(other_site_lead).get(reverse("engagements:request_create", args=[site_b.pk])).content.decode()
    offer.refresh_from_db()
    engagement_a.refresh_from_db()
    assert response.status_code == 302
    assert not offer.is_open
    assert "Weekly coaching" not in page
    assert engagement_a.state in Engagement.OPEN_STATES
    with pytest.raises(NotAllowed):
        submit_request(
            site=site_b,
            offer=offer,
            by=other_site_lead,
            why_now="w",
            help_wanted="h",
            who_is_involved="i",
            approaches_wanted=[],
            preferred_start=None,
        )


def test_only_a_programme_lead_shapes_offers(offer: Offer, site_lead: User, administrator: User) -> None:
    for person in (site_lead, administrator):
        assert client_for(person).get(reverse("onboarding:offer_edit", args=[offer.pk])).status_code == 404
        assert client_for(person).post(reverse("onboarding:offer_retire", args=[offer.pk])).status_code == 404

    offer.refresh_from_db()
    assert offer.is_open


def test_the_offer_page_lists_the_newest_lessons_and_finds_others_by_title(
    objects: dict, programme_lead: User, programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = objects["published_a"]
    newer = objects["published_b"]
    Lesson.objects.filter(pk=older.pk).update(title="Trust takes a year")
    client = client_for(programme_lead)
    url = reverse("onboarding:offer_create", args=[programme.pk])

    monkeypatch.setattr(OfferForm, "SHOWN", 1)  # only the newest is listed unless asked for

    plain = client.get(url).content.decode()
    found = client.get(url, {"find": "trust takes"}).content.decode()

    assert f'value="{newer.pk}"' in plain and f'value="{older.pk}"' not in plain
    assert f'value="{older.pk}"' in found
