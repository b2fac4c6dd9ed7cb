from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from engagements.actions.engagement import record_diagnostic
from engagements.models import Diagnostic, Engagement
from tests.helpers.people import client_for


def test_site_fills_in_the_diagnostic_and_a_rerun_keeps_the_history(engagement_a: Engagement, site_lead: User) -> None:
    client = client_for(site_lead)
    url = reverse("engagements:diagnostic_edit", kwargs={"pk": engagement_a.pk})

    client.post(url, {"stage": "2", "strengths": "A shared vision.", "development_areas": "Plans."})
    client.post(url, {"stage": "3", "strengths": "Joint teams.", "development_areas": "Pooled budget."})

    versions = list(Diagnostic.objects.filter(engagement=engagement_a).values_list("version", "stage"))
    assert versions == [(2, 3), (1, 2)]
    page = client.get(reverse("engagements:diagnostic_detail", kwargs={"pk": engagement_a.pk})).content.decode()
    assert "Joint teams." in page and "A shared vision." in page


def test_empty_diagnostic_says_what_is_missing(engagement_a: Engagement) -> None:
    response = client_for(engagement_a.enabler).post(
        reverse("engagements:diagnostic_edit", kwargs={"pk": engagement_a.pk}), {}
    )

    assert "Choose where the site feels it is" in response.content.decode()
    assert not Diagnostic.objects.exists()


def test_account_manager_reads_it_only_while_the_site_lead_shares_it(
    engagement_a: Engagement, site_lead: User, account_manager: User
) -> None:
    record_diagnostic(engagement=engagement_a, by=site_lead, stage=2, strengths="S.", development_areas="D.")
    url = reverse("engagements:diagnostic_detail", kwargs={"pk": engagement_a.pk})
    assert client_for(account_manager).get(url).status_code == 404

    client_for(site_lead).post(
        reverse("engagements:diagnostic_share", kwargs={"pk": engagement_a.pk}), {"person": account_manager.pk}
    )
    assert client_for(account_manager).get(url).status_code == 200
    share = engagement_a.diagnostic_shares.get()
    client_for(site_lead).post(
        reverse("engagements:diagnostic_unshare", kwargs={"pk": engagement_a.pk, "share_pk": share.pk})
    )

    assert client_for(account_manager).get(url).status_code == 404
    share.refresh_from_db()
    assert share.stopped_by == site_lead


def test_diagnostic_can_only_be_shared_with_an_account_manager_of_the_site(
    engagement_a: Engagement, site_lead: User, other_site_lead: User
) -> None:
    response = client_for(site_lead).post(
        reverse("engagements:diagnostic_share", kwargs={"pk": engagement_a.pk}), {"person": other_site_lead.pk}
    )

    assert "Select a valid choice" in response.content.decode()
    assert not engagement_a.diagnostic_shares.exists()


def test_programme_lead_never_reads_the_diagnostic(
    engagement_a: Engagement, site_lead: User, programme_lead: User
) -> None:
    record_diagnostic(engagement=engagement_a, by=site_lead, stage=2, strengths="S.", development_areas="D.")

    assert not Diagnostic.objects.visible_to(programme_lead).exists()
    assert (
        client_for(programme_lead)
        .get(reverse("engagements:diagnostic_detail", kwargs={"pk": engagement_a.pk}))
        .status_code
        == 404
    )
