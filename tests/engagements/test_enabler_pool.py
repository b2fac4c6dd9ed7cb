"""The enabler pool, for programme leads: every enabler by name, their profile kept up to date, available for new
work or not, and their account deactivated (signed out at once, out of matching, their history kept) or reactivated."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Notification, User
from engagements.matching import exclusion_reason, rank_enablers
from engagements.models import EnablerProfile, Engagement, Offer, SupportRequest
from sites.models import Site
from tests.helpers.engagements import ask_for_support
from tests.helpers.people import PASSWORD, client_for, log_in


def _can_sign_in(user: User) -> bool:
    response = Client().post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    return response.status_code == 302


def _manage(profile: EnablerProfile, **changes: object) -> dict[str, object]:
    return {
        "biography": profile.biography,
        "years_in_health": profile.years_in_health,
        "years_in_social_care": profile.years_in_social_care,
        "sectors": profile.sectors,
        "approaches": profile.approaches,
        "regions": profile.regions,
        "capacity": profile.capacity,
        **({"available_for_new_work": "on"} if profile.available_for_new_work else {}),
        **changes,
    }


def test_the_pool_lists_every_enabler_alphabetically_with_what_they_offer(
    enabler: User, other_enabler: User, programme_lead: User
) -> None:
    other_enabler.enabler_profile.available_for_new_work = False
    other_enabler.enabler_profile.save()

    response = client_for(programme_lead).get(reverse("engagements:enabler_pool"))

    profiles = list(response.context["page"].object_list)
    assert [profile.user for profile in profiles] == [enabler, other_enabler]  # Emery, then Orin: by name
    html = response.content.decode()
    assert "Council and social care" in html and "Not available for new work" in html
    assert "score" not in html.lower()


def test_the_pool_filters_to_the_available_and_to_the_deactivated(
    enabler: User, other_enabler: User, programme_lead: User
) -> None:
    other_enabler.is_active = False
    other_enabler.save()
    client = client_for(programme_lead)

    available = client.get(reverse("engagements:enabler_pool"), {"showing": "available"})
    deactivated = client.get(reverse("engagements:enabler_pool"), {"showing": "deactivated"})

    assert [profile.user for profile in available.context["page"].object_list] == [enabler]
    assert [profile.user for profile in deactivated.context["page"].object_list] == [other_enabler]
    assert "Account deactivated" in deactivated.content.decode()


def test_the_pool_costs_a_bounded_number_of_queries(
    programme_lead: User, engagement_a: Engagement, django_assert_max_num_queries: object
) -> None:
    client = client_for(programme_lead)
    client.get(reverse("engagements:enabler_pool"))
    for number in range(25):
        user = User.objects.create_user(f"pool{number}@example.test", PASSWORD, full_name=f"Pool Enabler {number}")
        EnablerProfile.objects.create(user=user, sectors=["voluntary"], regions=["london"])

    with django_assert_max_num_queries(8):
        response = client.get(reverse("engagements:enabler_pool"))

    counts = {profile.user.email: profile.active_count for profile in response.context["page"].object_list}
    assert len(counts) == 26
    assert counts["enabler@example.test"] == 1


def test_programme_lead_edits_an_enabler_and_the_fields_are_audited(enabler: User, programme_lead: User) -> None:
    profile = enabler.enabler_profile
    form = _manage(profile, capacity="3", regions=["london", "midlands"])
    del form["available_for_new_work"]

    response = client_for(programme_lead).post(reverse("engagements:enabler_manage", kwargs={"pk": profile.pk}), form)

    assert response["Location"] == reverse("engagements:enabler_pool")
    profile.refresh_from_db()
    assert (profile.capacity, profile.regions, profile.available_for_new_work) == (3, ["london", "midlands"], False)
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.EDITED_AN_ENABLER_PROFILE)
    assert (event.actor, event.target_id) == (programme_lead, profile.pk)
    assert sorted(event.detail["fields"]) == ["available_for_new_work", "capacity", "regions"]
    (notice,) = Notification.objects.filter(recipient=enabler, kind="enabler profile changed")
    assert notice.body.startswith("The central team changed your enabler profile: regions, capacity, available for new")
    assert programme_lead.full_name not in notice.body


def test_saving_an_enabler_unchanged_records_nothing(enabler: User, programme_lead: User) -> None:
    profile = enabler.enabler_profile

    client_for(programme_lead).post(reverse("engagements:enabler_manage", kwargs={"pk": profile.pk}), _manage(profile))

    assert not AuditEvent.objects.filter(verb=AuditEvent.Verb.EDITED_AN_ENABLER_PROFILE).exists()


def test_a_capacity_out_of_range_is_a_form_error(enabler: User, programme_lead: User) -> None:
    profile = enabler.enabler_profile

    response = client_for(programme_lead).post(
        reverse("engagements:enabler_manage", kwargs={"pk": profile.pk}), _manage(profile, capacity="-1")
    )

    assert response.context["form"].errors["capacity"] == ["Capacity must be between 0 and 10 engagements"]
    profile.refresh_from_db()
    assert profile.capacity == 2


def test_an_unavailable_enabler_is_not_proposed(
    site_a: Site, offer: Offer, site_lead: User, enabler: User, programme_lead: User
) -> None:
    request = ask_for_support(site_a, offer, site_lead)
    profile = enabler.enabler_profile
    client_for(programme_lead).post(
        reverse("engagements:enabler_manage", kwargs={"pk": profile.pk}),
        {key: value for key, value in _manage(profile).items() if key != "available_for_new_work"},
    )

    matches, _ = rank_enablers(SupportRequest.objects.get(pk=request.pk))

    assert enabler not in [match.profile.user for match in matches]
    assert (
        exclusion_reason(EnablerProfile.objects.get(pk=profile.pk), site_a) == f"{enabler} is not taking on new work."
    )


def test_a_deactivated_enabler_is_signed_out_at_once_and_kept_out_of_matching(
    engagement_a: Engagement, enabler: User, other_enabler: User, programme_lead: User, site_lead: User, offer: Offer
) -> None:
    signed_in = log_in(enabler)
    profile = enabler.enabler_profile

    response = client_for(programme_lead).post(reverse("engagements:enabler_deactivate", kwargs={"pk": profile.pk}))

    assert response["Location"] == reverse("engagements:enabler_manage", kwargs={"pk": profile.pk})
    next_page = signed_in.get(reverse("home"))
    assert next_page.status_code == 302 and next_page["Location"].startswith(reverse("accounts:login"))
    assert not _can_sign_in(enabler)
    request = ask_for_support(engagement_a.site, offer, site_lead)
    matches, _ = rank_enablers(request)
    assert [match.profile.user for match in matches] == [other_enabler]
    assert Engagement.objects.filter(pk=engagement_a.pk, enabler=enabler).exists()  # the history stays
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.DEACTIVATED_ACCOUNT)
    assert (event.actor, event.target_id, event.detail) == (programme_lead, enabler.pk, {"via": "enabler pool"})
    notice = Notification.objects.get(recipient=enabler, subject="Your Alongside account was deactivated")
    assert notice.body.startswith("The central team deactivated your Alongside account")


def test_a_reactivated_enabler_can_sign_in_again(enabler: User, programme_lead: User) -> None:
    profile = enabler.enabler_profile
    client = client_for(programme_lead)
    client.post(reverse("engagements:enabler_deactivate", kwargs={"pk": profile.pk}))

    client.post(reverse("engagements:enabler_reactivate", kwargs={"pk": profile.pk}))

    assert _can_sign_in(enabler)
    event = AuditEvent.objects.get(verb=AuditEvent.Verb.REACTIVATED_ACCOUNT)
    assert (event.actor, event.detail) == (programme_lead, {"via": "enabler pool"})


def test_a_programme_lead_cannot_deactivate_their_own_or_another_leads_account(programme_lead: User) -> None:
    other_lead = User.objects.create_user(
        "second.lead@central.example.test", PASSWORD, full_name="Sam Central", is_programme_lead=True
    )
    own = EnablerProfile.objects.create(user=programme_lead)
    other = EnablerProfile.objects.create(user=other_lead)
    client = client_for(programme_lead)

    mine = client.post(reverse("engagements:enabler_deactivate", kwargs={"pk": own.pk}), follow=True)
    theirs = client.post(reverse("engagements:enabler_deactivate", kwargs={"pk": other.pk}), follow=True)

    assert "You cannot deactivate or reactivate your own account." in mine.content.decode()
    assert "an administrator changes their account" in theirs.content.decode()
    assert User.objects.filter(pk__in=[programme_lead.pk, other_lead.pk], is_active=True).count() == 2
    assert not AuditEvent.objects.filter(verb=AuditEvent.Verb.DEACTIVATED_ACCOUNT).exists()


@pytest.mark.parametrize("persona", ["administrator", "site_lead", "enabler", "other_enabler"])
def test_nobody_but_a_programme_lead_manages_or_deactivates(personas: dict, persona: str) -> None:
    profile = personas["other_enabler"].enabler_profile
    client = client_for(personas[persona])

    managed = client.post(
        reverse("engagements:enabler_manage", kwargs={"pk": profile.pk}), _manage(profile, capacity="9")
    )
    deactivated = client.post(reverse("engagements:enabler_deactivate", kwargs={"pk": profile.pk}))
    pool = client.get(reverse("engagements:enabler_pool"))

    assert (managed.status_code, deactivated.status_code, pool.status_code) == (404, 404, 404)
    profile.refresh_from_db()
    assert profile.capacity == 2 and profile.user.is_active


def test_the_central_teams_navigation_leads_to_the_pool(programme_lead: User, administrator: User) -> None:
    lead_home = client_for(programme_lead).get(reverse("home")).content.decode()
    admin_home = client_for(administrator).get(reverse("home")).content.decode()

    assert reverse("engagements:enabler_pool") in lead_home
    assert reverse("engagements:enabler_pool") not in admin_home
