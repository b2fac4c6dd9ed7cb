"""The retention schedule's pages in the Django admin, in a real browser and by keyboard alone: an administrator
reads the night's report (counts, never a name), places a legal hold on an engagement (without a reason first,
which is refused and keeps what was typed) and lifts it. axe checks each admin page. Two checks of Alongside's own
pages are not asked of the admin's, which are Django's: the narrow-width check, and the watch for refusals by the
Content Security Policy, since the jQuery that Django's admin forms load tries inline styles in its feature
detection (refused, with no effect on the page); the admin pages open in a second tab of the signed-in browser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from engagements.models import Engagement
from retention.actions import apply_schedule
from retention.models import LegalHold


@pytest.mark.django_db(transaction=True)
def test_an_administrator_reads_the_report_then_places_and_lifts_a_legal_hold(
    people: object, administrator: User, engagement_a: Engagement, site_lead: User
) -> None:
    run = apply_schedule()
    admin = people(administrator, "administrator", keyboard_only=True)
    admin.page = admin.page.context.new_page()

    def see(path: str, label: str) -> str:
        admin.page.goto(admin.base + path)
        admin.axe.check(admin.page, f"administrator: {label}")
        return admin.page.locator("#content").text_content() or ""

    listing = see(reverse("admin:retention_retentionrun_changelist"), "retention runs")
    assert "Retention run of" in listing
    report = see(reverse("admin:retention_retentionrun_change", args=[run.pk]), "a retention run's report")
    assert "Closed engagements with their sessions" in report and "Due in the next 30 days" in report
    assert site_lead.full_name not in report and engagement_a.site.name not in report

    see(reverse("admin:retention_legalhold_add"), "place a legal hold")
    admin.fill("#id_engagement", str(engagement_a.pk))
    with admin.page.expect_navigation():
        admin.click("input[name=_save]")
    admin.axe.check(admin.page, "administrator: place a legal hold, no reason")
    assert "This field is required" in admin.page.locator("#content").inner_text()
    assert admin.page.locator("#id_engagement").input_value() == str(engagement_a.pk)
    admin.fill("#id_reason", "A claim about the support, received by letter")
    with admin.page.expect_navigation():
        admin.click("input[name=_save]")
    admin.axe.check(admin.page, "administrator: legal holds, one placed")
    hold = LegalHold.objects.get()
    assert hold.lifted_at is None and hold.placed_by == administrator

    see(reverse("admin:retention_legalhold_change", args=[hold.pk]), "a legal hold")
    see(reverse("admin:retention_legalhold_changelist"), "legal holds")
    admin.click(f"input.action-select[value='{hold.pk}']")
    admin.focus("select[name=action]")
    admin.page.select_option("select[name=action]", "lift")
    with admin.page.expect_navigation():
        admin.click("button[name=index]")
    admin.axe.check(admin.page, "administrator: legal holds, one lifted")
    assert "1 legal hold(s) lifted" in admin.page.locator("#content-start, #main").first.inner_text()
    hold.refresh_from_db()
    assert hold.lifted_at is not None
