from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from sites.models import Site
from tests.helpers.people import client_for


def test_site_member_sees_their_site_with_its_partners(site_member: User, site_a: Site) -> None:
    response = client_for(site_member).get(reverse("sites:site_detail", kwargs={"pk": site_a.pk}))

    assert response.status_code == 200
    assert "Ashvale Borough Council" in response.content.decode()


def test_site_member_gets_404_for_another_sites_page(site_member: User, site_b: Site) -> None:
    response = client_for(site_member).get(reverse("sites:site_detail", kwargs={"pk": site_b.pk}))

    assert response.status_code == 404


def test_my_site_takes_a_member_to_their_own_site(site_member: User, site_a: Site) -> None:
    response = client_for(site_member).get(reverse("sites:my_site"))

    assert response["Location"] == reverse("sites:site_detail", kwargs={"pk": site_a.pk})


def test_programme_lead_sees_every_site_in_the_directory(programme_lead: User, site_a: Site, site_b: Site) -> None:
    response = client_for(programme_lead).get(reverse("sites:site_list"))

    assert [site.name for site in response.context["page"].object_list] == ["Ashvale", "Brookmere"]


def test_directory_filters_by_region(programme_lead: User, site_a: Site, site_b: Site) -> None:
    response = client_for(programme_lead).get(reverse("sites:site_list"), {"region": "midlands"})

    assert [site.name for site in response.context["page"].object_list] == ["Brookmere"]


def test_directory_with_an_unknown_region_says_so_and_shows_all(
    programme_lead: User, site_a: Site, site_b: Site
) -> None:
    response = client_for(programme_lead).get(reverse("sites:site_list"), {"region": "atlantis"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert len(response.context["page"].object_list) == 2


def test_site_lead_gets_404_for_the_directory(site_lead: User) -> None:
    assert client_for(site_lead).get(reverse("sites:site_list")).status_code == 404


def test_visible_to_is_empty_for_a_deactivated_programme_lead(programme_lead: User, site_a: Site) -> None:
    programme_lead.is_active = False

    assert list(Site.objects.visible_to(programme_lead)) == []


def test_directory_of_30_sites_stays_within_8_queries(
    programme_lead: User, programme: object, django_assert_max_num_queries: object
) -> None:
    for number in range(30):
        Site.objects.create(name=f"Site {number:02d}", programme=programme, region="london")
    client = client_for(programme_lead)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("sites:site_list"))

    assert len(response.context["page"].object_list) == 30
