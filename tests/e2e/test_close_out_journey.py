"""The close-out journey in a real browser: the site's lead starts closing, records the close-out review (an error
first), and the enabler reads it; every page checked with axe."""

from __future__ import annotations

import datetime

import pytest

from engagements.models import CloseOutReview, Engagement
from tests.helpers.browser import follow


@pytest.mark.django_db(transaction=True)
def test_the_site_lead_closes_with_a_close_out_review_and_the_enabler_reads_it(
    people: object,
    world: dict,
    active: Engagement,
) -> None:
    site = people(world["site_lead"], "site lead")
    path = f"/engagements/{active.pk}/"
    site.go(path, "engagement")
    follow(site, "main a:has-text('Start closing')", "start closing")
    day = datetime.date.today() + datetime.timedelta(days=30)
    site.fill("#id_follow_up_on_day", str(day.day))
    site.fill("#id_follow_up_on_month", str(day.month))
    site.fill("#id_follow_up_on_year", str(day.year))
    site.submit("engagement closing")
    assert "Closing" in site.text()

    follow(site, "main a:has-text('The close-out review')", "close-out review")
    site.submit("close-out review, with errors")
    assert "There is a problem" in site.text() and "Choose how this goal went" in site.text()
    site.click("#id_goal_0_1")  # partly met
    site.fill("#id_goal_0_words", "Trust grew between the partners, slowly.")
    site.fill("#id_what_next", "Keep the monthly board conversation going.")
    site.submit("close-out review saved")
    assert "The close-out review is recorded" in site.text()
    assert "Start a lesson from this review" in site.text()
    assert CloseOutReview.objects.get().goals.get().outcome == "partly met"

    enabler = people(world["enabler"], "enabler")
    enabler.go(f"{path}close-out/", "close-out review (enabler)")
    assert "Trust grew between the partners, slowly." in enabler.text()
    assert "Partly met" in enabler.text() and "Keep the monthly board conversation going." in enabler.text()

    lead = people(world["programme_lead"], "programme lead")
    response = lead.page.goto(lead.base + f"{path}close-out/")
    assert response.status == 404
