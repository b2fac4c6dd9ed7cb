"""Shared words in a real browser, by keyboard alone: the site's lead gives feedback naming their enabler, leaves the
sharing question unanswered (its error state), says yes, checks the anonymised words with every replacement
highlighted, changes them (an error first), and approves the exact words; every page checked with axe."""

from __future__ import annotations

import pytest

from engagements.models import Engagement, Feedback
from tests.helpers.browser import follow


@pytest.mark.django_db(transaction=True)
def test_the_site_lead_shares_what_helped_after_checking_and_approving_the_words(
    people: object,
    world: dict,
    active: Engagement,
) -> None:
    site = people(world["site_lead"], "site lead (keyboard)", keyboard_only=True)
    site.go(f"/engagements/{active.pk}/feedback/new/", "feedback")
    assert "Can the central team read what helped, with names taken out?" in site.text()
    site.click("input[name=usefulness][value='5']")
    site.fill("#id_what_helped", "Emery listened first and helped the board see what it already agreed on.")
    site.submit("feedback, the sharing question unanswered")
    assert "There is a problem" in site.text()
    assert "Select yes if the central team can read what helped, with names taken out" in site.text()

    site.click("input[name=share_what_helped][value=yes]")
    site.submit("check the shared words")
    feedback = Feedback.objects.get()
    assert site.page.url.endswith(f"/lessons/feedback/{feedback.pk}/words/")
    highlighted = site.page.locator("main mark.alongside-placeholder")
    assert highlighted.count() == 1 and highlighted.first.inner_text() == "[an enabler]"
    assert "Emery" not in site.page.locator("main .nhsuk-u-reading-width").inner_text()

    follow(site, "main a:has-text('Change the words')", "change the shared words")
    site.fill("#id_what_helped", " ")
    site.submit("change the shared words, with errors")
    assert "There is a problem" in site.text() and "Write what helped" in site.text()
    site.fill("#id_what_helped", "Emery listened first. The board saw what it already agreed on.")
    site.submit("check the changed words")
    assert "Nothing is shared until you approve these exact words" in site.text()

    follow(site, "main button:has-text('Approve these exact words')", "shared words approved")
    assert "You approved these words" in site.text()
    feedback.refresh_from_db()
    assert feedback.shared_words == "[an enabler] listened first. The board saw what it already agreed on."
    assert feedback.shared_words_approved

    follow(site, "main a:has-text('Do not share these words')", "stop sharing, a confirmation")
    follow(site, "main a:has-text('Keep sharing them')", "kept sharing")
    feedback.refresh_from_db()
    assert feedback.shared_words_approved

    lead = people(world["programme_lead"], "programme lead")
    lead.go("/overview/", "overview with the quarter still open")
    assert "listened first" not in lead.text()  # the quarter is not over, and one site is not five
