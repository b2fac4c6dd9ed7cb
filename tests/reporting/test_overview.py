"""The programme overview: figures against hand-computed values (planned sessions among them), suppression of small
numbers (also by difference), and nothing that lists or compares sites or enablers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import User
from core.periods import quarter_containing, since_began, year_containing
from engagements.models import Engagement, Feedback, Offer, PlannedSession, Session, SupportRequest
from engagements.models.planning import new_uid
from frontend.dates import long_date
from reporting.overview import HIDDEN, SECONDARY, build
from reporting.suppression import Cell, protect
from sites.models import Programme, Site, SiteMembership
from tests.helpers.engagements import ask_for_support
from tests.helpers.overview import TODAY, world
from tests.helpers.people import client_for


def test_figures_match_hand_computed_values(programme: Programme, offer: Offer, programme_lead: User) -> None:
    world(programme, offer, programme_lead, 7, feedback=[5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 3])

    result = build(period=since_began(TODAY), today=TODAY)

    pioneer = result.by_programme[0]
    assert pioneer.requests.shown == "7"
    assert pioneer.engagements.shown == "7"
    assert pioneer.median_wait_days.shown == "3"  # waits of 0..6 days
    assert pioneer.longest_wait_days.shown == "6"
    assert pioneer.days_delivered.shown == "14"
    # 11 = 5 + 5 + the one rated 3, were the hidden 1s and 2s read as none: the 11 is hidden so that the 1 cannot be
    assert pioneer.responses.shown == SECONDARY
    assert {rating: figure.shown for rating, figure in pioneer.ratings.items()} == {
        1: HIDDEN,
        2: HIDDEN,
        3: HIDDEN,
        4: "5",
        5: "5",
    }


def test_small_groups_show_fewer_than_5(programme: Programme, offer: Offer, programme_lead: User) -> None:
    world(programme, offer, programme_lead, 3, feedback=[5, 4])

    result = build(period=since_began(TODAY), today=TODAY)

    pioneer = result.by_programme[0]
    for figure in (
        pioneer.requests,
        pioneer.engagements,
        pioneer.days_delivered,
        pioneer.median_wait_days,
        pioneer.responses,
    ):
        assert figure.shown == HIDDEN


def test_a_hidden_part_of_a_shown_total_hides_another_so_it_cannot_be_subtracted() -> None:
    cells = {"total": Cell(12), "small": Cell(3, primary=True), "large": Cell(9)}

    protect(cells, [[("total", 1), ("small", -1), ("large", -1)]])

    assert (cells["small"].primary, cells["large"].secondary, cells["total"].hidden) == (True, True, False)


def test_open_and_closed_engagements_cannot_be_worked_out_from_the_total(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    engagements = world(programme, offer, programme_lead, 8, feedback=[])
    Engagement.objects.filter(pk__in=[e.pk for e, _ in engagements[:2]]).update(state="closed", closed_on=TODAY)

    pioneer = build(period=since_began(TODAY), today=TODAY).by_programme[0]

    assert pioneer.engagements.shown == "8"
    assert (pioneer.open_engagements.shown, pioneer.closed_engagements.shown) == (SECONDARY, HIDDEN)


def test_a_programme_row_that_is_hidden_hides_another_row_under_a_shown_total(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    world(programme, offer, programme_lead, 6, feedback=[])
    vanguard = Programme.objects.create(kind=Programme.Kind.VANGUARD, year=2015)
    Offer.objects.create(programme=vanguard, name="Vanguard support", provider="x", cadence="flexible")
    site = Site.objects.create(name="Lone", programme=vanguard, region="london")
    lead = User.objects.create_user("lone@example.test", "x", full_name="Lone Lead")
    SiteMembership.objects.create(user=lead, site=site, role="lead")
    ask_for_support(site, Offer.objects.get(programme=vanguard), lead)

    result = build(period=since_began(TODAY), today=TODAY)

    shown = [result.total.requests.shown, *(group.requests.shown for group in result.by_programme)]
    assert shown[2] == HIDDEN  # the lone request
    assert SECONDARY in shown[:2]  # so neither 7 - 6 nor the total can give it away
    assert "1" not in shown


def test_the_page_and_the_export_honour_the_same_suppression(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    world(programme, offer, programme_lead, 3, feedback=[5])
    client = client_for(programme_lead)

    page = client.get(reverse("engagements:overview")).content.decode()
    export = client.get(reverse("engagements:overview_export")).content.decode()

    glance = page.split("This period at a glance")[1].split("How to read these figures")[0]
    assert "Requests received</h3>" in glance and "Fewer than 5</p>" in glance
    assert "<li>Requests received</li>" in page  # folded away: fewer than 5 for every group
    assert "Requests received</th>" not in page
    assert "Integrated Care Pioneer 2013/14,Requests received,fewer than 5" in export
    assert "All programmes,Requests received,fewer than 5" in export
    assert ",3\r\n" not in export.split("Enabler capacity")[0]


def test_no_programme_lead_page_names_a_site_or_enabler_beside_activity_or_feedback(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    engagements = world(programme, offer, programme_lead, 6, feedback=[5, 4, 3, 5, 4, 2])
    client = client_for(programme_lead)

    overview = client.get(reverse("engagements:overview")).content.decode().split('id="maincontent"')[1]
    export = client.get(reverse("engagements:overview_export")).content.decode()
    engagement_page = client.get(
        reverse("engagements:engagement_detail", kwargs={"pk": engagements[0][0].pk})
    ).content.decode()

    for text in (overview, export):
        assert "Place 0" not in text and "Pat Pool" not in text
    assert "out of 5" not in engagement_page and "Helped" not in engagement_page
    assert not Feedback.objects.visible_to(programme_lead).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            {"end_day": "1", "end_month": "1", "end_year": "0001"},
            "the dates in the link you followed could not be used",
        ),
        (
            {"end_day": "31", "end_month": "12", "end_year": "9999"},
            "the dates in the link you followed could not be used",
        ),
        ({"start": "0001-01-01", "end": "9999-12-31"}, "the dates in the link you followed could not be used"),
        ({"start": "not a date"}, "the dates in the link you followed could not be used"),
    ],
)
def test_an_old_link_with_dates_out_of_range_shows_this_financial_year_and_says_so(
    engagement_a: Engagement, programme_lead: User, typed: dict, message: str
) -> None:
    """Found by fuzzing (tests/fuzz), when the overview took any dates: an end in year 1 with no start was a server
    error. Such a link now answers with this financial year and says why, and so does its export."""
    client = client_for(programme_lead)

    page = client.get(reverse("engagements:overview"), typed)
    export = client.get(reverse("engagements:overview_export"), typed)

    this_year = year_containing(TODAY)
    assert page.status_code == 200 and export.status_code == 200
    assert message in page.content.decode()
    assert page.context["overview"].period == this_year
    assert f"alongside-overview-{this_year.key}.csv" in export["Content-Disposition"]


def test_an_old_link_answers_with_the_quarter_that_holds_its_end_date_and_says_so(
    engagement_a: Engagement, programme_lead: User
) -> None:
    last_year = TODAY.replace(year=TODAY.year - 1)
    end = last_year - datetime.timedelta(days=3)
    typed = {"start": (end - datetime.timedelta(days=200)).isoformat(), "end": end.isoformat()}

    page = client_for(programme_lead).get(reverse("engagements:overview"), typed)

    quarter = quarter_containing(end)
    html = page.content.decode()
    assert page.context["overview"].period == quarter
    assert "Figures are now shown for fixed periods only" in html
    assert f"with its end on {long_date(end)}: this is the quarter that holds that day, {quarter.label}" in html
    assert f'<option value="{quarter.key}" selected>' in html


def test_an_old_link_with_a_start_only_answers_with_the_quarter_that_holds_its_start(
    engagement_a: Engagement, programme_lead: User
) -> None:
    start = datetime.date(2020, 5, 17)

    page = client_for(programme_lead).get(
        reverse("engagements:overview"), {"start_day": "17", "start_month": "5", "start_year": "2020"}
    )

    assert page.context["overview"].period == quarter_containing(start)
    assert "with its start on 17 May 2020: this is the quarter that holds that day" in page.content.decode()


def test_a_period_not_in_the_list_is_refused_with_a_message(engagement_a: Engagement, programme_lead: User) -> None:
    page = client_for(programme_lead).get(reverse("engagements:overview"), {"period": "2010-q1"})

    assert "Choose a period from the list" in page.content.decode()
    assert page.context["overview"].period == year_containing(TODAY)


def test_the_chosen_period_is_shown_in_the_heading_the_controls_and_the_export(
    engagement_a: Engagement, programme_lead: User
) -> None:
    chosen = quarter_containing(datetime.date(2024, 8, 1))
    client = client_for(programme_lead)

    page = client.get(reverse("engagements:overview"), {"period": chosen.key}).content.decode()
    export = client.get(reverse("engagements:overview_export"), {"period": chosen.key})

    assert f'<span class="nhsuk-caption-l nhsuk-caption--bottom">{chosen.label}</span>' in page
    assert f'<option value="{chosen.key}" selected>' in page
    assert f"?period={chosen.key}" in page
    assert f"alongside-overview-{chosen.key}.csv" in export["Content-Disposition"]


def test_the_overview_opens_with_headline_figures_each_explained(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    world(programme, offer, programme_lead, 6, feedback=[5, 4, 3, 5, 4, 2])

    page = client_for(programme_lead).get(reverse("engagements:overview"), {"period": "all"}).content.decode()

    glance = page.split("This period at a glance")[1].split("How to read these figures")[0]
    for name in ("Requests received", "Engagements agreed", "Median wait to agreement", "Feedback responses"):
        assert name in glance
    assert "Requests for support that sites sent in this period" in glance
    assert ">6</p>" in glance


def test_rows_hidden_for_every_group_are_folded_away_with_a_count(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    world(programme, offer, programme_lead, 6, feedback=[])

    page = client_for(programme_lead).get(reverse("engagements:overview"), {"period": "all"}).content.decode()

    tables = page.split("<h2>All programmes</h2>")[1].split("<h2>Requests received, by programme</h2>")[0]
    assert "Goals met</th>" not in tables
    assert "rows not shown because of fewer than 5 sites, engagements or responses" in tables
    assert "<li>Goals met</li>" in tables


def test_feedback_from_a_site_member_reaches_the_enabler(engagement_a: Engagement, site_member: User) -> None:
    client_for(site_member).post(
        reverse("engagements:feedback_create", kwargs={"pk": engagement_a.pk}),
        {"usefulness": "4", "what_helped": "Candid challenge"},
    )

    page = client_for(engagement_a.enabler).get(reverse("engagements:feedback_list", kwargs={"pk": engagement_a.pk}))

    assert "Candid challenge" in page.content.decode()
    assert Feedback.objects.get().usefulness == 4


@pytest.mark.parametrize("session", ["abc", "1.5", "1\x00", str(2**63), "-1"])
def test_feedback_after_a_session_the_address_does_not_name_is_feedback_on_the_engagement(
    engagement_a: Engagement, site_member: User, session: str
) -> None:
    """Found by fuzzing (tests/fuzz): `?session=` with text where a session's id belongs was a server error."""
    url = reverse("engagements:feedback_create", kwargs={"pk": engagement_a.pk})

    response = client_for(site_member).post(f"{url}?{urlencode({'session': session})}", {"usefulness": "4"})

    assert response.status_code == 302
    assert Feedback.objects.get().session is None


def test_feedback_without_a_rating_is_refused(engagement_a: Engagement, site_member: User) -> None:
    response = client_for(site_member).post(reverse("engagements:feedback_create", kwargs={"pk": engagement_a.pk}), {})

    assert "Choose how useful the support was" in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_overview_query_count_stays_bounded_with_1000_engagements(
    programme: Programme, offer: Offer, programme_lead: User, django_assert_max_num_queries: object
) -> None:
    enabler = User.objects.create_user("bulk@example.test", "x", full_name="Bulk Enabler")
    lead = User.objects.create_user("bulk.lead@example.test", "x", full_name="Bulk Lead")
    sites = Site.objects.bulk_create(Site(name=f"Bulk {n}", programme=programme, region="london") for n in range(1000))
    requests = SupportRequest.objects.bulk_create(
        SupportRequest(
            site=site, offer=offer, created_by=lead, why_now="x", help_wanted="x", who_is_involved="x", state="accepted"
        )
        for site in sites
    )
    from django.db import connection

    with connection.cursor() as cursor:  # the trigger wants accepted requests, which these are
        Engagement.objects.bulk_create(
            Engagement(
                request=request,
                site=request.site,
                offer=offer,
                enabler=enabler,
                state="active",
                started_on=TODAY,
                days_used=Decimal("1"),
            )
            for request in requests
        )
        del cursor
    client = client_for(programme_lead)

    # 13: sites' words are read apart from the figures, as the figures go to the shared cache and the words never do.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("engagements:overview"))

    assert response.context["overview"].by_programme[0].engagements.shown == "1000"


def _planned(engagement: Engagement, *, days_ago: int = 2, held: bool = False, cancelled: bool = False) -> None:
    """A planned session of the engagement, some days ago; logged as a session if `held`."""
    starts_at = timezone.now() - datetime.timedelta(days=days_ago)
    planned = PlannedSession.objects.create(
        engagement=engagement,
        starts_at=starts_at,
        hours=Decimal("1"),
        format="one-to-one",
        place="online",
        meeting_link="https://meet.example.test/private-room",
        uid=new_uid("planned"),
        planned_by=engagement.enabler,
        cancelled_at=timezone.now() if cancelled else None,
    )
    if held:
        planned.session = Session.objects.create(
            engagement=engagement,
            held_on=timezone.localdate(starts_at),
            hours=Decimal("1"),
            format="one-to-one",
            place="remote",
            logged_by=engagement.enabler,
        )
        planned.save(update_fields=["session"])


def test_sessions_planned_and_held_match_hand_computed_values(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    engagements = world(programme, offer, programme_lead, 7, feedback=[])
    for index, (engagement, _) in enumerate(engagements):
        _planned(engagement, held=index < 5)
        _planned(engagement)
    _planned(engagements[0][0], cancelled=True)  # not counted
    _planned(engagements[0][0], days_ago=-400)  # in a financial year not yet begun: in no period yet

    result = build(period=since_began(TODAY), today=TODAY)

    pioneer = result.by_programme[0]
    assert (pioneer.sessions_planned.shown, pioneer.sessions_held.shown) == ("14", "5")
    assert (result.total.sessions_planned.shown, result.total.sessions_held.shown) == ("14", "5")
    assert all(group.sessions_planned is None for group in result.by_offer)  # by programme only


def test_sessions_of_fewer_than_5_sites_show_fewer_than_5(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    """Forty sessions at four sites: the count is large but would show what four sites did."""
    engagements = world(programme, offer, programme_lead, 4, feedback=[])
    for engagement, _ in engagements:
        for day in range(10):
            _planned(engagement, days_ago=day + 1, held=True)

    pioneer = build(period=since_began(TODAY), today=TODAY).by_programme[0]

    assert (pioneer.sessions_planned.shown, pioneer.sessions_held.shown) == (HIDDEN, HIDDEN)


def test_sessions_planned_are_hidden_when_those_not_held_could_be_worked_out(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    engagements = world(programme, offer, programme_lead, 6, feedback=[])
    for index, (engagement, _) in enumerate(engagements):
        _planned(engagement, held=index > 0)  # five held, one not

    pioneer = build(period=since_began(TODAY), today=TODAY).by_programme[0]

    assert (pioneer.sessions_planned.shown, pioneer.sessions_held.shown) == (SECONDARY, "5")


def test_the_overview_counts_planned_sessions_and_shows_nothing_of_one(
    programme: Programme, offer: Offer, programme_lead: User
) -> None:
    engagements = world(programme, offer, programme_lead, 6, feedback=[])
    for engagement, _ in engagements:
        _planned(engagement)
    client = client_for(programme_lead)

    page = client.get(reverse("engagements:overview")).content.decode()
    export = client.get(reverse("engagements:overview_export")).content.decode()

    assert "Integrated Care Pioneer 2013/14,Sessions planned in the period,6" in export
    assert "All programmes,Planned sessions held (logged),fewer than 5" in export
    assert "Sessions planned in the period" in page
    main = page.split('id="maincontent"')[1]
    for text in (main, export):
        assert "private-room" not in text and "Place 0" not in text and "Pat Pool" not in text
