"""Fuzzing the forms of the support journey: asking for support, proposing enablers, declining them, the enabler's
profile, the agreement, the diagnostic and its sharing, closing, and extra days.

Each form is submitted by the person it is for. Where an accepted submission moves the request or engagement on,
the test moves it back with the real actions (withdraw, decline, stop sharing, a new engagement), so that the form
stays open to the next example.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import User
from engagements.actions.engagement import (
    close_engagement,
    stop_sharing_diagnostic,
)
from engagements.actions.requests import decline_proposals, withdraw_request
from engagements.forms.enablers import EnablerProfileForm
from engagements.forms.engagement import AgreementForm, ClosingForm, DiagnosticForm, ExtraDaysForm, ShareDiagnosticForm
from engagements.forms.requests import DeclineForm, ProposalForm, SupportRequestForm
from engagements.models import Diagnostic, EnablerProfile, Engagement, Offer, SupportRequest
from engagements.models.enablers import Sector
from engagements.models.requests import Approach
from sites.models import Organisation, Programme, Region, Site
from tests.helpers.engagements import active_engagement, ask_for_support, propose, start_engagement
from tests.helpers.people import client_for

from .harness import FormUnderFuzz, fuzzes
from .strategies import (
    FUZZ,
    choice,
    choices,
    date,
    days_from_today,
    form_data,
    in_days,
    number,
    object_id,
    text,
    typed,
)


@fuzzes(SupportRequestForm, "engagements:request_create", "site_lead")
def test_support_request_form_refuses_with_form_errors(
    site_a: Site, offer: Offer, programme: Programme, site_lead: User
) -> None:
    """Asking for support: a closed offer or another programme's is refused like any other wrong choice. Each
    accepted request is withdrawn again, so the next may be sent for the same offer."""
    closed = Offer.objects.create(programme=programme, name="Closed", provider="P", cadence="weekly", is_open=False)
    elsewhere = Offer.objects.create(
        programme=Programme.objects.create(kind=Programme.Kind.VANGUARD, year=2015),
        name="Elsewhere",
        provider="P",
        cadence="weekly",
    )
    fields = {
        "offer": object_id([offer.pk], elsewhere=[closed.pk, elsewhere.pk]),
        "why_now": text(5000),
        "help_wanted": text(5000),
        "who_is_involved": text(5000),
        "approaches_wanted": choices(Approach.values),
        "preferred_start": date(days_from_today(0, 730), required=False),
    }
    create = FormUnderFuzz(
        client_for(site_lead), reverse("engagements:request_create", kwargs={"site_pk": site_a.pk}), SupportRequestForm
    )
    plausible = {"offer": offer.pk, "why_now": "Ready", "help_wanted": "Coaching", "who_is_involved": "The board"}

    @FUZZ
    @given(form_data(fields))
    @example({**plausible, **typed("preferred_start", in_days(730))})
    @example({**plausible, **typed("preferred_start", in_days(731))})
    def submit(data: dict) -> None:
        if create.submit(data):
            withdraw_request(request=SupportRequest.objects.open().get(site=site_a, offer=offer), by=site_lead)

    submit()

    create.assert_accepted_and_refused()


@fuzzes(ProposalForm, "engagements:request_match", "programme_lead")
def test_proposal_form_refuses_with_form_errors(
    site_a: Site, offer: Offer, site_lead: User, enabler: User, other_enabler: User, programme_lead: User
) -> None:
    """Proposing enablers: an enabler with a conflict of interest, or one who does not exist, is refused like any
    other wrong choice. After each accepted proposal the site declines, and the request is back in the queue."""
    conflicted = User.objects.create_user("conflicted@example.test", "x", full_name="Cory Conflicted")
    EnablerProfile.objects.create(user=conflicted, capacity=2).worked_for.add(site_a.partners.get())
    request = ask_for_support(site_a, offer, site_lead)
    candidates = [str(enabler.enabler_profile.pk), str(other_enabler.enabler_profile.pk)]
    fields = {
        "enablers": choices(candidates, required=True, elsewhere=[conflicted.enabler_profile.pk]),
        **{f"introduction_{key}": text(1000, required=False) for key in candidates},
    }
    match = FormUnderFuzz(
        client_for(programme_lead),
        reverse("engagements:request_match", kwargs={"pk": request.pk}),
        ProposalForm,
        redirects_to=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )
    first, second = candidates

    @FUZZ
    @given(form_data(fields))
    @example({"enablers": [first, second], f"introduction_{first}": "Hi", f"introduction_{second}": "<b>Hi</b>"})
    @example({"enablers": [first, second], f"introduction_{first}": "Hi", f"introduction_{second}": " "})
    def submit(data: dict) -> None:
        if match.submit(data):
            decline_proposals(request=request, reason="Not the right fit.", by=site_lead)

    submit()

    match.assert_accepted_and_refused()


@fuzzes(DeclineForm, "engagements:request_decline", "site_lead")
def test_decline_form_refuses_with_form_errors(
    site_a: Site, offer: Offer, site_lead: User, enabler: User, programme_lead: User
) -> None:
    """Declining the proposed enablers, with a reason; after each decline the central team proposes again."""
    request = ask_for_support(site_a, offer, site_lead)
    propose(request, programme_lead, enabler)
    decline = FormUnderFuzz(
        client_for(site_lead),
        reverse("engagements:request_decline", kwargs={"pk": request.pk}),
        DeclineForm,
        redirects_to=reverse("engagements:request_detail", kwargs={"pk": request.pk}),
    )

    @FUZZ
    @given(form_data({"reason": text(5000)}))
    @example({"reason": '"><img src=x onerror=alert(1)>'})
    @example({"reason": "\u2028\u3000"})
    def submit(data: dict) -> None:
        if decline.submit(data):
            propose(request, programme_lead, enabler)

    submit()

    decline.assert_accepted_and_refused()


@fuzzes(EnablerProfileForm, "engagements:enabler_profile_edit", "enabler")
def test_enabler_profile_form_refuses_with_form_errors(site_a: Site, enabler: User) -> None:
    """An enabler's own profile: numbers out of range or not numbers, unknown sectors and organisations."""
    other = Organisation.objects.create(name="Other Trust", sector=Organisation.Sector.NHS_TRUST)
    fields = {
        "biography": text(5000, required=False),
        "years_in_health": number(st.integers(0, 70)),
        "years_in_social_care": number(st.integers(0, 70)),
        "sectors": choices(Sector.values),
        "approaches": choices(Approach.values),
        "regions": choices(Region.values),
        "capacity": number(st.integers(0, 10)),
        "worked_for": choices([site_a.partners.get().pk, other.pk]),
    }
    profile = enabler.enabler_profile
    edit = FormUnderFuzz(
        client_for(enabler),
        reverse("engagements:enabler_profile_edit"),
        EnablerProfileForm,
        redirects_to=reverse("engagements:enabler_profile_detail", kwargs={"pk": profile.pk}),
    )

    @FUZZ
    @given(form_data(fields))
    @example(
        {
            "biography": "<script>alert(1)</script>",
            "years_in_health": "70",
            "years_in_social_care": "0",
            "capacity": "10",
        }
    )
    @example({"biography": "", "years_in_health": "71", "years_in_social_care": "0", "capacity": "10"})
    def submit(data: dict) -> None:
        edit.submit(data)

    submit()

    edit.assert_accepted_and_refused()


@fuzzes(AgreementForm, "engagements:agreement_edit", "enabler")
def test_agreement_form_refuses_with_form_errors(engagement_a: Engagement) -> None:
    """The agreement's words, while neither side has confirmed them: the engagement page shows what was saved."""
    fields = {
        "cadence": text(200, required=False),
        "ways_of_working": text(5000, required=False),
        "goals": text(5000, required=False),
        "confidentiality": text(5000),
    }
    detail = reverse("engagements:engagement_detail", kwargs={"pk": engagement_a.pk})
    edit = FormUnderFuzz(
        client_for(engagement_a.enabler),
        reverse("engagements:agreement_edit", kwargs={"pk": engagement_a.pk}),
        AgreementForm,
        redirects_to=detail,
    )

    @FUZZ
    @given(form_data(fields))
    @example({"cadence": "<svg/onload=alert(1)>", "goals": "<script>alert(1)</script>", "confidentiality": "Ours"})
    @example({"cadence": "Weekly", "confidentiality": " "})
    def submit(data: dict) -> None:
        edit.submit(data)

    submit()

    edit.assert_accepted_and_refused()


@fuzzes(DiagnosticForm, "engagements:diagnostic_edit", "site_lead")
def test_diagnostic_form_refuses_with_form_errors(engagement_a: Engagement, site_lead: User) -> None:
    """A new version of the site's diagnostic: the stage is one of five, the words are the site's own."""
    fields = {
        "stage": choice(Diagnostic.Stage.values),
        "strengths": text(5000),
        "development_areas": text(5000),
    }
    detail = reverse("engagements:diagnostic_detail", kwargs={"pk": engagement_a.pk})
    edit = FormUnderFuzz(
        client_for(site_lead),
        reverse("engagements:diagnostic_edit", kwargs={"pk": engagement_a.pk}),
        DiagnosticForm,
        redirects_to=detail,
    )

    @FUZZ
    @given(form_data(fields))
    @example({"stage": "5", "strengths": "<script>alert(1)</script>", "development_areas": "'; DROP TABLE x; --"})
    @example({"stage": "6", "strengths": "Trust", "development_areas": "Pace"})
    def submit(data: dict) -> None:
        edit.submit(data)

    submit()

    edit.assert_accepted_and_refused()


@fuzzes(ShareDiagnosticForm, "engagements:diagnostic_share", "site_lead")
def test_share_diagnostic_form_refuses_with_form_errors(
    engagement_a: Engagement, site_lead: User, site_member: User, account_manager: User, site_b: Site
) -> None:
    """Sharing the diagnostic: only with an account manager of the site. Another site's manager, a member of the
    site, or nobody at all is refused. Each share is stopped again, so it can be made again."""
    manager_b = User.objects.create_user("manager.b@example.test", "x", full_name="Bo Manager", is_account_manager=True)
    site_b.account_managers.add(manager_b)
    fields = {
        "person": object_id([account_manager.pk], elsewhere=[manager_b.pk, site_member.pk, engagement_a.enabler_id])
    }
    share = FormUnderFuzz(
        client_for(site_lead),
        reverse("engagements:diagnostic_share", kwargs={"pk": engagement_a.pk}),
        ShareDiagnosticForm,
        redirects_to=reverse("engagements:diagnostic_detail", kwargs={"pk": engagement_a.pk}),
    )

    @FUZZ
    @given(form_data(fields))
    @example({"person": account_manager.pk})
    @example({"person": manager_b.pk})
    def submit(data: dict) -> None:
        if share.submit(data):
            stop_sharing_diagnostic(share=engagement_a.diagnostic_shares.get(stopped_at=None), by=site_lead)

    submit()

    share.assert_accepted_and_refused()


@fuzzes(ClosingForm, "engagements:engagement_start_closing", "enabler")
def test_closing_form_refuses_with_form_errors(
    site_a: Site, offer: Offer, site_lead: User, enabler: User, programme_lead: User
) -> None:
    """Starting to close an active engagement, with a follow-up date. After each success the engagement is closed
    (freeing the enabler's capacity) and the next example closes a new active engagement."""
    closing = FormUnderFuzz(client_for(enabler), "", ClosingForm)
    current = {}

    def aim_at(engagement: Engagement) -> None:
        current["engagement"] = engagement
        closing.url = reverse("engagements:engagement_start_closing", kwargs={"pk": engagement.pk})
        closing.redirects_to = reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk})

    aim_at(active_engagement(site_a, offer, site_lead, enabler, programme_lead))

    @FUZZ
    @given(form_data({"follow_up_on": date(days_from_today(0, 365))}))
    @example(typed("follow_up_on", in_days(0)))
    @example(typed("follow_up_on", in_days(-1)))
    def submit(data: dict) -> None:
        if closing.submit(data):
            close_engagement(engagement=Engagement.objects.get(pk=current["engagement"].pk), by=enabler)
            aim_at(active_engagement(site_a, offer, site_lead, enabler, programme_lead))

    submit()

    closing.assert_accepted_and_refused()


@fuzzes(ExtraDaysForm, "engagements:engagement_extra_days", "site_lead")
def test_extra_days_form_refuses_with_form_errors(
    site_a: Site, days_offer: Offer, site_lead: User, enabler: User, programme_lead: User
) -> None:
    """The site's lead agrees extra days on an offer counted in days: half a day to 50, with what they are for."""
    engagement = start_engagement(ask_for_support(site_a, days_offer, site_lead), enabler, site_lead, programme_lead)
    fields = {
        "days": number(st.decimals(min_value=Decimal("0.5"), max_value=Decimal("50"), places=1)),
        "reason": text(5000),
    }
    extra = FormUnderFuzz(
        client_for(site_lead),
        reverse("engagements:engagement_extra_days", kwargs={"pk": engagement.pk}),
        ExtraDaysForm,
        redirects_to=reverse("engagements:engagement_detail", kwargs={"pk": engagement.pk}),
    )

    @FUZZ
    @given(form_data(fields))
    @example({"days": "50", "reason": "<script>alert(1)</script>"})
    @example({"days": "0.4", "reason": "A workshop"})
    def submit(data: dict) -> None:
        extra.submit(data)

    submit()

    extra.assert_accepted_and_refused()
