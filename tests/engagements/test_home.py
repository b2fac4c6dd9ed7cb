from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from engagements.models import Engagement, Offer
from sites.models import Programme, Site, SiteMembership
from tests.helpers.engagements import ask_for_support
from tests.helpers.people import client_for


def test_site_home_shows_its_requests_and_engagement(site_lead: User, engagement_a: Engagement) -> None:
    html = client_for(site_lead).get(reverse("home")).content.decode()

    assert "Ask for support when your site is ready" in html
    assert "Weekly coaching" in html
    assert reverse("engagements:engagement_detail", kwargs={"pk": engagement_a.pk}) in html


def test_enabler_home_shows_what_needs_doing(engagement_a: Engagement) -> None:
    html = client_for(engagement_a.enabler).get(reverse("home")).content.decode()

    assert "Agree and confirm how you will work" in html
    assert "Ashvale" in html


def test_programme_lead_home_shows_the_queue_and_capacity(
    programme_lead: User, site_b: Site, offer: Offer, other_site_lead: User, engagement_a: Engagement
) -> None:
    ask_for_support(site_b, offer, other_site_lead)

    response = client_for(programme_lead).get(reverse("home"))

    assert response.context["queue_count"] == 1
    assert "1 engagement open, against a total capacity of 2" in response.content.decode()


def test_queue_is_oldest_first_with_query_count_bounded(
    programme_lead: User, programme: Programme, offer: Offer, django_assert_max_num_queries: object
) -> None:
    for number in range(25):
        site = Site.objects.create(name=f"Place {number:02d}", programme=programme, region="london")
        lead = User.objects.create_user(f"lead{number}@example.test", "x", full_name=f"Lead {number}")
        SiteMembership.objects.create(user=lead, site=site, role="lead")
        ask_for_support(site, offer, lead)
    client = client_for(programme_lead)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("engagements:queue"))
    with django_assert_max_num_queries(16):
        client.get(reverse("home"))

    names = [item.site.name for item, _ in response.context["waiting"]]
    assert names == sorted(names) and len(names) == 25


def test_site_and_enabler_homes_stay_within_16_queries(
    site_lead: User, enabler: User, engagement_a: Engagement, django_assert_max_num_queries: object
) -> None:
    for persona in (site_lead, enabler):
        client = client_for(persona)
        with django_assert_max_num_queries(16):
            client.get(reverse("home"))
