"""What helped, in sites' words, on the overview: only words a site's lead approved as anonymised, released in batches
of a closed financial quarter when five or more sites contributed, grouped and sorted by their text; the CSV keeps
the same rule, and a quarter not yet over waits."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.periods import financial_quarter, financial_year, since_began
from engagements.actions.closeout import give_feedback
from engagements.models import Feedback, Offer
from lessons import actions as lesson_actions
from reporting.overview import words
from sites.models import Programme, Site, SiteMembership
from tests.helpers.engagements import ask_for_support, shared_feedback, start_engagement
from tests.helpers.people import client_for

LONDON = ZoneInfo("Europe/London")
QUARTER = financial_quarter(2026, 2)  # July to September 2026
IN_QUARTER = datetime.datetime(2026, 8, 14, 10, 0, tzinfo=LONDON)
AFTER_QUARTER = datetime.date(2026, 10, 1)


def _sites(programme: Programme, offer: Offer, programme_lead: User, enabler: User, count: int) -> list:
    """`count` sites, each with its lead and an engagement with `enabler`."""
    profile = enabler.enabler_profile
    profile.capacity = 50
    profile.save(update_fields=["capacity"])
    found = []
    for number in range(count):
        site = Site.objects.create(name=f"Place {number}", programme=programme, region="london")
        lead = User.objects.create_user(f"lead{number}@example.test", "x", full_name=f"Lee Place{number}")
        SiteMembership.objects.create(user=lead, site=site, role="lead")
        found.append((start_engagement(ask_for_support(site, offer, lead), enabler, lead, programme_lead), lead))
    return found


def test_words_not_approved_never_reach_the_overview_or_its_export(
    programme: Programme, offer: Offer, programme_lead: User, enabler: User
) -> None:
    pairs = _sites(programme, offer, programme_lead, enabler, 6)
    for engagement, lead in pairs[:5]:
        shared_feedback(engagement, lead, "Approved words helped.")
    engagement, lead = pairs[5]
    shared_feedback(engagement, lead, "Unapproved canary words.", approve=False)
    give_feedback(
        engagement=engagement, by=lead, session=None, usefulness=5, what_helped="Unshared canary", could_be_better=""
    )
    client = client_for(programme_lead)

    batches = words(period=since_began(AFTER_QUARTER), today=AFTER_QUARTER)
    page = client.get(reverse("engagements:overview"), {"period": "all"}).content.decode()
    export = client.get(reverse("engagements:overview_export"), {"period": "all"}).content.decode()

    assert [phrase.text for batch in batches for phrase in batch.phrases] == ["Approved words helped."]
    for text in (page, export):
        assert "Approved words helped." in text
        assert "canary" not in text


def test_words_of_a_quarter_not_yet_over_wait(
    programme: Programme, offer: Offer, programme_lead: User, enabler: User
) -> None:
    for number, (engagement, lead) in enumerate(_sites(programme, offer, programme_lead, enabler, 5)):
        shared_feedback(engagement, lead, f"Words {number} helped.")

    waiting = words(period=financial_year(2026), today=QUARTER.end)
    released = words(period=financial_year(2026), today=AFTER_QUARTER)

    assert waiting == []
    assert [batch.quarter for batch in released] == [QUARTER]


def test_four_sites_words_are_not_released_and_five_are(
    programme: Programme, offer: Offer, programme_lead: User, enabler: User
) -> None:
    pairs = _sites(programme, offer, programme_lead, enabler, 5)
    for engagement, lead in pairs[:4]:
        shared_feedback(engagement, lead, "Listening helped.")
        shared_feedback(engagement, lead, "Listening helped again.")  # more words from the same four sites

    four = words(period=QUARTER, today=AFTER_QUARTER)
    shared_feedback(*pairs[4], "Listening helped.")
    five = words(period=QUARTER, today=AFTER_QUARTER)

    assert four == []
    assert len(five) == 1 and five[0].sites == 5 and five[0].label == QUARTER.label


def test_a_batch_is_sorted_by_its_text_whenever_each_was_written(
    programme: Programme, offer: Offer, programme_lead: User, enabler: User
) -> None:
    texts = ["Zeal helped.", "apples helped.", "Middle helped.", "Board time helped.", "clear notes helped."]
    for number, (engagement, lead) in enumerate(_sites(programme, offer, programme_lead, enabler, 5)):
        shared_feedback(engagement, lead, texts[number], at=IN_QUARTER + datetime.timedelta(days=number))

    (batch,) = words(period=QUARTER, today=AFTER_QUARTER)

    assert [phrase.text for phrase in batch.phrases] == sorted(texts, key=str.casefold)


def test_a_sentence_from_several_sites_is_shown_once_with_how_many_used_it(
    programme: Programme, offer: Offer, programme_lead: User, enabler: User
) -> None:
    for number, (engagement, lead) in enumerate(_sites(programme, offer, programme_lead, enabler, 6)):
        shared_feedback(engagement, lead, f"Listening first helped.  Words of site {number}.")
        if number == 0:
            shared_feedback(engagement, lead, "listening first helped")  # the same site again counts once

    (batch,) = words(period=QUARTER, today=AFTER_QUARTER)
    client = client_for(programme_lead)
    export = client.get(reverse("engagements:overview_export"), {"period": QUARTER.key}).content.decode()

    shared = [phrase for phrase in batch.phrases if phrase.text.casefold().startswith("listening")]
    assert [(phrase.text, phrase.sites, phrase.used_by) for phrase in shared] == [
        ("Listening first helped.", 6, "used by 6 sites")
    ]
    assert len(batch.phrases) == 7
    assert "Listening first helped.,used by 6 sites" in export


def test_words_withdrawn_after_release_leave_the_overview(
    programme: Programme, offer: Offer, programme_lead: User, enabler: User
) -> None:
    given = [
        shared_feedback(engagement, lead, f"Words {number} helped.")
        for number, (engagement, lead) in enumerate(_sites(programme, offer, programme_lead, enabler, 5))
    ]
    assert words(period=QUARTER, today=AFTER_QUARTER) != []

    lesson_actions.withdraw_shared_words(feedback=given[0], by=given[0].given_by)

    assert words(period=QUARTER, today=AFTER_QUARTER) == []  # four sites left: the batch is no longer shown


def test_the_enablers_given_name_reaches_the_centre_as_a_placeholder_once_the_quarter_closed_with_five_sites(
    programme: Programme, offer: Offer, programme_lead: User, enabler: User, time_machine: object
) -> None:
    """The must-show: a site's lead names its enabler by given name ("Emery") and says yes to sharing. The centre
    reads the approved words with a placeholder, and only once the quarter is over and five sites contributed."""
    time_machine.move_to(IN_QUARTER, tick=False)  # type: ignore[attr-defined]
    pairs = _sites(programme, offer, programme_lead, enabler, 5)
    given = "Emery listened first and helped the board see what it already agreed on."
    engagement, lead = pairs[0]
    site_lead = client_for(lead)
    response = site_lead.post(
        reverse("engagements:feedback_create", kwargs={"pk": engagement.pk}),
        {"usefulness": "5", "what_helped": given, "share_what_helped": "yes"},
    )
    check = site_lead.get(response["Location"])
    site_lead.post(
        reverse("lessons:shared_words_approve", kwargs={"pk": Feedback.objects.get().pk}),
        {"words": check.context["seen"]},
    )
    centre = client_for(programme_lead)
    overview = reverse("engagements:overview")
    year = {"period": financial_year(2026).key}
    alone = centre.get(overview, year).content.decode()
    for number, (other, other_lead) in enumerate(pairs[1:]):
        shared_feedback(other, other_lead, f"Time with the board helped, {number}.", at=timezone.now())
    before_the_quarter_closed = centre.get(overview, year).content.decode()

    time_machine.move_to(datetime.datetime(2026, 10, 1, 9, 0, tzinfo=LONDON), tick=False)  # type: ignore[attr-defined]
    centre = client_for(programme_lead)  # signed in afresh: seven weeks on, the earlier session has expired
    released = centre.get(overview, year).content.decode()
    export = centre.get(reverse("engagements:overview_export"), year).content.decode()

    assert '<mark class="alongside-placeholder">[an enabler]</mark> listened first' in check.content.decode()
    for page in (alone, before_the_quarter_closed):
        assert "listened first" not in page
    for text in (released, export):
        assert "[an enabler] listened first and helped the board see what it already agreed on." in text
        assert "Emery" not in text


def test_released_words_name_no_site_and_no_person_of_it(
    programme: Programme, offer: Offer, programme_lead: User, enabler: User
) -> None:
    pairs = _sites(programme, offer, programme_lead, enabler, 5)
    for number, (engagement, lead) in enumerate(pairs):
        shared_feedback(engagement, lead, f"{lead.full_name} at Place {number} listened first.")

    (batch,) = words(period=QUARTER, today=AFTER_QUARTER)
    text = " ".join(phrase.text for phrase in batch.phrases)

    assert "listened first" in text
    for engagement, lead in pairs:
        assert engagement.site.name not in text
        assert lead.full_name.split()[0] not in text and lead.full_name.split()[-1] not in text
