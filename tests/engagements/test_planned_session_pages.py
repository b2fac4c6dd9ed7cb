"""The pages of planned sessions: planning one or a series, the other party seeing it as the next session, moving
or cancelling one, ending a series, logging one once held, and what the central team never sees."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from engagements.actions.planning import plan_series, plan_session
from engagements.models import Engagement, Offer, PlannedSession, Session, SessionSeries
from sites.models import Site
from tests.helpers.engagements import ask_for_support, start_engagement
from tests.helpers.people import client_for

LONDON = ZoneInfo("Europe/London")
LINK = "https://meet.example.test/ashvale-board"
ADDRESS = "Ashvale Civic Centre, Room 4"


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _boxes(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def _form(day: datetime.date, **changes: str) -> dict[str, str]:
    return {
        **_boxes("starts_on", day),
        "start_time": "09:30",
        "length": "1.5",
        "format": "one-to-one",
        "place": "online",
        "meeting_link": LINK,
        "repeat": "once",
        **changes,
    }


def _plan_url(engagement: Engagement) -> str:
    return reverse("engagements:planned_session_create", kwargs={"pk": engagement.pk})


def _page(engagement: Engagement) -> str:
    return reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk})


def _series(engagement: Engagement, by: User, weeks: int = 4) -> SessionSeries:
    return plan_series(
        engagement=engagement,
        by=by,
        first_starts_at=datetime.datetime.combine(_day(7), datetime.time(10), tzinfo=LONDON),
        frequency="weekly",
        until=_day(7 * weeks),
        length=Decimal("1"),
        format="leadership-team",
        place="online",
        meeting_link=LINK,
    )


@pytest.fixture
def days_engagement(
    site_a: Site, days_offer: Offer, site_lead: User, enabler: User, programme_lead: User
) -> Engagement:
    return start_engagement(ask_for_support(site_a, days_offer, site_lead), enabler, site_lead, programme_lead)


def test_the_enabler_plans_one_session_and_the_sites_people_see_it_as_the_next(
    engagement_a: Engagement, site_lead: User, site_member: User, mail_after_each_request: None
) -> None:
    response = client_for(engagement_a.enabler).post(
        _plan_url(engagement_a), _form(_day(3), invitees=str(site_member.pk))
    )

    assert response.status_code == 302 and response["Location"] == _page(engagement_a)
    planned = PlannedSession.objects.get()
    assert planned.starts_at == datetime.datetime.combine(_day(3), datetime.time(9, 30), tzinfo=LONDON)
    assert (planned.hours, planned.days, planned.series) == (Decimal("1.5"), None, None)
    assert list(planned.invitees.all()) == [site_member]
    assert site_member.email in [message.to[0] for message in mail.outbox]
    for person in (site_lead, site_member):
        html = client_for(person).get(_page(engagement_a)).content.decode()
        assert "Next session" in html and LINK in html and "09:30" in html
    assert "Change or cancel the next session" in client_for(site_lead).get(_page(engagement_a)).content.decode()
    assert "Change or cancel" not in client_for(site_member).get(_page(engagement_a)).content.decode()


def test_the_sites_lead_plans_a_weekly_series_on_site(engagement_a: Engagement, site_lead: User) -> None:
    data = _form(
        _day(7), place="on-site", address=ADDRESS, meeting_link="", repeat="weekly", **_boxes("until", _day(28))
    )

    response = client_for(site_lead).post(_plan_url(engagement_a), data, follow=True)

    series = SessionSeries.objects.get()
    assert (series.frequency, series.until, series.planned_by) == ("weekly", _day(28), site_lead)
    assert [timezone.localtime(p.starts_at).date() for p in series.occurrences.order_by("starts_at")] == [
        _day(7),
        _day(14),
        _day(21),
        _day(28),
    ]
    assert "4 sessions are planned" in response.content.decode()
    assert ADDRESS in client_for(engagement_a.enabler).get(_page(engagement_a)).content.decode()


def test_moving_one_occurrence_leaves_the_rest(engagement_a: Engagement, site_lead: User) -> None:
    series = _series(engagement_a, engagement_a.enabler)
    second = series.occurrences.order_by("starts_at")[1]
    url = reverse("engagements:planned_session_edit", kwargs={"pk": second.pk})
    data = {**_boxes("starts_on", _day(15)), "start_time": "14.00", "place": "on-site", "address": ADDRESS}

    response = client_for(site_lead).post(url, data)

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.starts_at == datetime.datetime.combine(_day(15), datetime.time(14), tzinfo=LONDON)
    assert (second.place, second.address, second.meeting_link) == ("on-site", ADDRESS, "")
    others = series.occurrences.exclude(pk=second.pk)
    assert {timezone.localtime(p.starts_at).time() for p in others} == {datetime.time(10)}
    assert all(p.place == "online" and not p.is_cancelled for p in others)


def test_the_move_page_shows_the_session_as_it_is(engagement_a: Engagement, site_lead: User) -> None:
    series = _series(engagement_a, engagement_a.enabler)
    first = series.occurrences.order_by("starts_at")[0]

    html = client_for(site_lead).get(reverse("engagements:planned_session_edit", kwargs={"pk": first.pk})).content

    page = html.decode()
    assert 'value="10:00"' in page and LINK in page
    assert "Cancel this session" in page and "End the series" in page
    assert 'name="invitees"' not in page  # a series keeps the invitees of its rhythm


def test_cancelling_one_occurrence_leaves_the_others(engagement_a: Engagement) -> None:
    series = _series(engagement_a, engagement_a.enabler)
    first = series.occurrences.order_by("starts_at")[0]

    response = client_for(engagement_a.enabler).post(
        reverse("engagements:planned_session_cancel", kwargs={"pk": first.pk}), follow=True
    )

    assert "The session is cancelled" in response.content.decode()
    assert list(series.occurrences.filter(cancelled_at__isnull=False)) == [first]
    assert series.occurrences.live().count() == 3
    assert (
        client_for(engagement_a.enabler)
        .get(reverse("engagements:planned_session_edit", kwargs={"pk": first.pk}))
        .status_code
        == 302
    )  # cancelled: nothing to change


def test_ending_a_series_cancels_what_is_still_to_come(engagement_a: Engagement, site_lead: User) -> None:
    series = _series(engagement_a, engagement_a.enabler)
    second = series.occurrences.order_by("starts_at")[1]

    response = client_for(site_lead).post(reverse("engagements:series_end", kwargs={"pk": second.pk}), follow=True)

    assert "4 sessions still to come are cancelled" in response.content.decode()
    series.refresh_from_db()
    assert series.ended_at is not None and series.occurrences.live().count() == 0
    assert "No session is planned yet" in response.content.decode()


def test_ending_a_one_off_session_as_a_series_is_refused_with_a_message(engagement_a: Engagement) -> None:
    planned = plan_session(
        engagement=engagement_a,
        by=engagement_a.enabler,
        starts_at=datetime.datetime.combine(_day(2), datetime.time(10), tzinfo=LONDON),
        length=Decimal("1"),
        format="one-to-one",
        place="online",
        meeting_link=LINK,
    )

    response = client_for(engagement_a.enabler).post(
        reverse("engagements:series_end", kwargs={"pk": planned.pk}), follow=True
    )

    assert "not part of a series" in response.content.decode()
    planned.refresh_from_db()
    assert not planned.is_cancelled


def test_a_planned_session_after_its_time_offers_log_this_session_which_fills_the_form_and_links_it(
    engagement_a: Engagement, site_lead: User, site_member: User
) -> None:
    site_member.job_title = "Director of adult social care"
    site_member.save(update_fields=["job_title"])
    planned = plan_session(
        engagement=engagement_a,
        by=site_lead,
        starts_at=datetime.datetime.combine(_day(2), datetime.time(10), tzinfo=LONDON),
        length=Decimal("2"),
        format="partnership-board",
        place="on-site",
        address=ADDRESS,
        invitees=[site_member, site_lead],
    )
    held = timezone.now() - datetime.timedelta(days=1)
    PlannedSession.objects.filter(pk=planned.pk).update(starts_at=held)  # as if the day had come and gone
    enabler = client_for(engagement_a.enabler)
    log_url = reverse("engagements:session_create", kwargs={"pk": engagement_a.pk}) + f"?planned={planned.pk}"

    page = enabler.get(_page(engagement_a)).content.decode()
    form = enabler.get(log_url).context["form"]
    response = enabler.post(
        log_url,
        {
            **_boxes("held_on", timezone.localtime(held).date()),
            "length": "2",
            "format": "partnership-board",
            "place": "on-site",
            "participants": form.initial["participants"],
        },
    )

    assert f'?planned={planned.pk}"' in page and "Log this session" in page
    assert form.initial["held_on"] == timezone.localtime(held).date()
    assert (form.initial["length"], form.initial["format"], form.initial["place"]) == (
        Decimal("2"),
        "partnership-board",
        Session.Place.ON_SITE,
    )
    assert form.initial["participants"] == "Director of adult social care"
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.session is not None and planned.session.format == "partnership-board"
    assert "Log this session" not in enabler.get(_page(engagement_a)).content.decode()


def test_a_planned_session_still_to_come_does_not_fill_the_session_form(engagement_a: Engagement) -> None:
    planned = plan_session(
        engagement=engagement_a,
        by=engagement_a.enabler,
        starts_at=datetime.datetime.combine(_day(2), datetime.time(10), tzinfo=LONDON),
        length=Decimal("2"),
        format="partnership-board",
        place="online",
        meeting_link=LINK,
    )
    url = reverse("engagements:session_create", kwargs={"pk": engagement_a.pk})

    for submitted in (str(planned.pk), "abc", "99999999999999999999"):
        response = client_for(engagement_a.enabler).get(f"{url}?planned={submitted}")

        assert response.status_code == 200 and response.context["planned"] is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (_boxes("starts_on", _day(-1)), "starts_on", "The date must be today or later"),
        ({"starts_on_year": "0001"}, "starts_on", "The date must be today or later"),
        ({"starts_on_year": "9999"}, "starts_on", "A session is planned at most two years ahead"),
        ({"start_time": "25:00"}, "start_time", "Enter the start time as hours and minutes, like 09:30"),
        ({"meeting_link": "http://meet.example.test/x"}, "meeting_link", "The meeting link must start with https://"),
        ({"meeting_link": ""}, "meeting_link", "Enter the meeting link, starting https://"),
        ({"place": "on-site", "address": "  "}, "address", "Enter the address of the session on site"),
        ({"repeat": "weekly"}, "until", "Enter the date of the last session of the series"),
        ({"repeat": "weekly", **_boxes("until", _day(4))}, "until", "The series must end on or after the date"),
        ({"repeat": "monthly", **_boxes("until", _day(5 + 367))}, "until", "A series runs for a year at most"),
        (
            {"repeat": "weekly", **_boxes("until", datetime.date(9999, 1, 1))},
            "until",
            "A session is planned at most two years ahead",
        ),
        ({"length": "0"}, "length", "The length must be more than zero"),
    ],
)
def test_bad_input_gets_a_clear_message(engagement_a: Engagement, changes: dict, field: str, message: str) -> None:
    data = {**_form(_day(5)), **changes}

    response = client_for(engagement_a.enabler).post(_plan_url(engagement_a), data)

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert "There is a problem" in response.content.decode() and message in response.content.decode()
    assert not PlannedSession.objects.exists()


def test_a_time_earlier_today_is_refused(engagement_a: Engagement) -> None:
    data = _form(timezone.localdate(), start_time="00:00")

    response = client_for(engagement_a.enabler).post(_plan_url(engagement_a), data)

    assert "The session must start later than now" in str(response.context["form"].errors["start_time"])


def test_a_refusal_of_the_action_is_a_form_error(engagement_a: Engagement, enabler: User) -> None:
    engagement_a.state = Engagement.State.CLOSED  # a state no session is planned in
    Engagement.objects.filter(pk=engagement_a.pk).update(state=Engagement.State.CLOSED)

    response = client_for(enabler).post(_plan_url(engagement_a), _form(_day(3)))

    assert response.status_code == 200
    assert "no sessions can be planned" in str(response.context["form"].non_field_errors())


def test_moving_to_a_past_date_is_refused(engagement_a: Engagement) -> None:
    series = _series(engagement_a, engagement_a.enabler)
    first = series.occurrences.order_by("starts_at")[0]
    url = reverse("engagements:planned_session_edit", kwargs={"pk": first.pk})

    response = client_for(engagement_a.enabler).post(
        url, {**_boxes("starts_on", _day(-3)), "start_time": "10:00", "place": "online", "meeting_link": LINK}
    )

    assert "The date must be today or later" in str(response.context["form"].errors["starts_on"])


@pytest.mark.parametrize("persona", ["site_member", "programme_lead", "administrator", "other_enabler"])
def test_only_those_who_steer_may_plan(objects: dict, persona: str) -> None:
    engagement = objects["engagement_a"]
    series = _series(engagement, engagement.enabler)
    occurrence = series.occurrences.first()
    client = client_for(objects[persona])

    statuses = [
        client.get(_plan_url(engagement)).status_code,
        client.post(_plan_url(engagement), _form(_day(3))).status_code,
        client.get(reverse("engagements:planned_session_edit", kwargs={"pk": occurrence.pk})).status_code,
        client.post(reverse("engagements:planned_session_cancel", kwargs={"pk": occurrence.pk})).status_code,
        client.post(reverse("engagements:series_end", kwargs={"pk": occurrence.pk})).status_code,
    ]

    assert statuses == [404] * 5
    assert series.occurrences.live().count() == 4


def test_the_central_team_sees_the_engagement_page_without_any_plan(
    engagement_a: Engagement, site_lead: User, site_member: User, programme_lead: User, administrator: User
) -> None:
    plan_session(
        engagement=engagement_a,
        by=site_lead,
        starts_at=datetime.datetime.combine(_day(2), datetime.time(10), tzinfo=LONDON),
        length=Decimal("1"),
        format="one-to-one",
        place="on-site",
        address=ADDRESS,
        invitees=[site_member],
    )
    _series(engagement_a, engagement_a.enabler)

    for person in (programme_lead, administrator):
        html = client_for(person).get(_page(engagement_a)).content.decode()

        assert ADDRESS not in html and LINK not in html and "meet.example.test" not in html
        assert "Next session" not in html and "Planned sessions" not in html
        assert site_member.full_name not in html


def test_on_site_days_are_planned_one_at_a_time_in_days_with_the_budget_beside_them(
    days_engagement: Engagement,
) -> None:
    client = client_for(days_engagement.enabler)
    form = client.get(_plan_url(days_engagement)).context["form"]
    data = {**_form(_day(3)), "length": "4", "place": "on-site", "address": ADDRESS}
    data.pop("repeat")

    response = client.post(_plan_url(days_engagement), data)
    client.post(_plan_url(days_engagement), {**data, **_boxes("starts_on", _day(10)), "length": "2"})
    page = client.get(_page(days_engagement)).content.decode()

    assert "repeat" not in form.fields and "until" not in form.fields
    assert form.fields["length"].label == "Length in days"
    assert response.status_code == 302
    assert [p.days for p in PlannedSession.objects.order_by("starts_at")] == [Decimal("4"), Decimal("2")]
    assert "Days planned" in page and "6 days planned, not yet logged" in page
    assert "more than the 5 days available" in page


def test_planning_past_the_day_budget_warns_as_it_plans(days_engagement: Engagement) -> None:
    data = {**_form(_day(3)), "length": "6", "place": "on-site", "address": ADDRESS}

    response = client_for(days_engagement.enabler).post(_plan_url(days_engagement), data, follow=True)

    html = response.content.decode()
    assert "The session is planned" in html
    assert "6 days are planned and 0 used, more than the 5 days available" in html


def test_the_central_team_sees_no_days_planned_either(
    days_engagement: Engagement, programme_lead: User, site_lead: User
) -> None:
    plan_session(
        engagement=days_engagement,
        by=site_lead,
        starts_at=datetime.datetime.combine(_day(2), datetime.time(10), tzinfo=LONDON),
        length=Decimal("6"),
        format="design-workshop",
        place="on-site",
        address=ADDRESS,
    )

    html = client_for(programme_lead).get(_page(days_engagement)).content.decode()

    assert "Days planned" not in html and "days are planned" not in html and ADDRESS not in html


def _next_spring_forward() -> datetime.date:
    """The next last Sunday of March, when the UK's clocks go forward at 01:00 (01:00 to 02:00 never happens)."""
    year = timezone.localdate().year + 1
    last_of_march = datetime.date(year, 3, 31)
    return last_of_march - datetime.timedelta(days=(last_of_march.weekday() + 1) % 7)


def test_a_time_the_clocks_skip_is_planned_without_fuss(engagement_a: Engagement) -> None:
    day = _next_spring_forward()

    response = client_for(engagement_a.enabler).post(_plan_url(engagement_a), _form(day, start_time="01:30"))

    assert response.status_code == 302
    planned = PlannedSession.objects.get()
    assert planned.starts_at == datetime.datetime(day.year, day.month, day.day, 1, 30, tzinfo=datetime.UTC)
