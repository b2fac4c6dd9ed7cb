"""`engagements.access.is_party` is the same rule as `Engagement.objects.working_with`, for every persona, whether the
person's role at the site came with the query or not."""

from __future__ import annotations

from engagements import access
from engagements.models import Engagement


def test_is_party_agrees_with_working_with_for_every_persona(
    personas: dict, engagement_a: Engagement, engagement_b: Engagement
) -> None:
    people = {name: user for name, user in personas.items() if user is not None}

    for name, user in people.items():
        for engagement in (engagement_a, engagement_b):
            expected = Engagement.objects.working_with(user).filter(pk=engagement.pk).exists()
            annotated = Engagement.objects.with_site_role_of(user).get(pk=engagement.pk)
            plain = Engagement.objects.get(pk=engagement.pk)

            assert (access.is_party(user, annotated), access.is_party(user, plain)) == (expected, expected), (
                name,
                engagement,
            )


def test_the_parties_of_site_a_engagement_are_its_lead_member_and_enabler(
    personas: dict, engagement_a: Engagement
) -> None:
    parties = {name for name, user in personas.items() if user is not None and access.is_party(user, engagement_a)}

    assert parties == {"site_lead", "site_member", "enabler"}


def test_a_deactivated_member_is_no_longer_a_party(personas: dict, engagement_a: Engagement) -> None:
    member = personas["site_member"]
    member.is_active = False

    assert not access.is_party(member, engagement_a)
