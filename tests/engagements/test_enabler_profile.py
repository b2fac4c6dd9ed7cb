from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from tests.helpers.people import client_for


def test_enabler_edits_their_own_profile(enabler: User) -> None:
    response = client_for(enabler).post(
        reverse("engagements:enabler_profile_edit"),
        {
            "biography": "Twenty years in social care.",
            "years_in_health": "3",
            "years_in_social_care": "20",
            "sectors": ["social-care"],
            "approaches": ["coaching", "facilitation"],
            "regions": ["london"],
            "capacity": "3",
        },
    )

    enabler.enabler_profile.refresh_from_db()
    assert response.status_code == 302
    assert enabler.enabler_profile.approaches == ["coaching", "facilitation"]
    assert enabler.enabler_profile.capacity == 3


def test_impossible_years_and_capacity_are_refused_and_nothing_changes(enabler: User) -> None:
    response = client_for(enabler).post(
        reverse("engagements:enabler_profile_edit"),
        {"biography": "", "years_in_health": "200", "years_in_social_care": "x", "capacity": "99"},
    )

    html = response.content.decode()
    assert "Enter a number of years of 70 or fewer" in html
    assert "Capacity must be between 0 and 10 engagements" in html
    enabler.enabler_profile.refresh_from_db()
    assert enabler.enabler_profile.years_in_health == 12
